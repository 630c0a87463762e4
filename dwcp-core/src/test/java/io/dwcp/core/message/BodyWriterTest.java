package io.dwcp.core.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BodyWriterTest {
    private static byte[] body(BodyWriter w) {
        ByteBuffer b = w.finish();
        byte[] out = new byte[b.remaining() - FrameDescriptor.PREFIX_LENGTH];
        b.position(FrameDescriptor.PREFIX_LENGTH).get(out);
        return out;
    }

    /** Big-endian, as ByteBuffer writes them, at every edge of the range; growth across many fields. */
    @Test
    void integersAreBigEndianAsAByteBufferWritesThem() {
        int[] ints = {0, 1, -1, 0x7f, 0x80, 0xff, 0x100, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x01020304};
        long[] longs = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 0x0102030405060708L, 1L << 32, (1L << 32) - 1};
        BodyWriter w = new BodyWriter(FrameType.OFFER);
        ByteBuffer want = ByteBuffer.allocate(1000 * (ints.length * 4 + longs.length * 8));
        for (int round = 0; round < 1000; round++) {
            for (int v : ints) {
                w.i32(v);
                want.putInt(v);
            }
            for (long v : longs) {
                w.i64(v);
                want.putLong(v);
            }
        }
        assertArrayEquals(want.array(), body(w));
    }

    @Test
    void stringsAreALengthThenUtf8() {
        byte[] b = body(new BodyWriter(FrameType.OFFER).string("").string("a/b").string("grüße"));
        ByteBuffer r = ByteBuffer.wrap(b);
        assertEquals(0, r.getInt());
        assertEquals(3, r.getInt());
        byte[] ab = new byte[3];
        r.get(ab);
        assertEquals("a/b", new String(ab, StandardCharsets.UTF_8));
        int n = r.getInt();
        assertEquals("grüße".getBytes(StandardCharsets.UTF_8).length, n);
        byte[] u = new byte[n];
        r.get(u);
        assertEquals("grüße", new String(u, StandardCharsets.UTF_8));
        assertEquals(0, r.remaining());
    }
}
