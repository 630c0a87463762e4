package io.dwcp.core.codec;

import io.dwcp.core.frame.Codec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.codec.TestData.Kind;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decoder takes untrusted payloads: anything wrong is a PROTOCOL error, never wrong-length output. */
class BlockDecoderTest {
    private static final int BS = 64 * 1024;

    private static byte[] compress(byte[] data) {
        return LZ4Factory.fastestInstance().fastCompressor().compress(data);
    }

    private static DwcpException protocolError(Codec codec, ByteBuffer payload, int length) {
        DwcpException e = assertThrows(DwcpException.class, () -> new BlockDecoder(BS).decode(codec, payload, length));
        assertEquals(ErrorCode.PROTOCOL, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith("frame=data reason="), e.getMessage());
        return e;
    }

    @Test
    void decodesValidPayloadIntoScratchAtPositionZero() throws Exception {
        byte[] data = TestData.bytes(Kind.TEXT, 10_000, 0);
        BlockDecoder d = new BlockDecoder(BS);
        ByteBuffer out = d.decode(Codec.LZ4, ByteBuffer.wrap(compress(data)), data.length);
        assertEquals(0, out.position());
        assertEquals(data.length, out.limit());
        assertArrayEquals(data, TestData.remaining(out));
        // A second, shorter block reuses the scratch buffer and reports only its own length.
        byte[] small = TestData.bytes(Kind.ZEROS, 100, 0);
        ByteBuffer out2 = d.decode(Codec.LZ4, ByteBuffer.wrap(compress(small)), 100);
        assertEquals(100, out2.remaining());
        assertArrayEquals(small, TestData.remaining(out2));
    }

    @Test
    void zeroCodecYieldsExactlyTheAnnouncedZeros() throws Exception {
        BlockDecoder d = new BlockDecoder(BS);
        for (int n : new int[] {1, 100, BS}) {
            ByteBuffer out = d.decode(Codec.ZERO, ByteBuffer.allocate(0), n);
            assertEquals(0, out.position());
            assertEquals(n, out.remaining());
            assertEquals(ByteBuffer.allocate(n), out);
        }
        // Decoding an LZ4 block in between must not leave data in what a later ZERO block returns.
        d.decode(Codec.LZ4, ByteBuffer.wrap(compress(TestData.bytes(Kind.TEXT, BS, 0))), BS);
        assertEquals(ByteBuffer.allocate(BS), d.decode(Codec.ZERO, ByteBuffer.allocate(0), BS));
        protocolError(Codec.ZERO, ByteBuffer.allocate(0), 0);
        protocolError(Codec.ZERO, ByteBuffer.allocate(0), BS + 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 17, 100})
    void truncatedLz4PayloadIsRejected(int cut) {
        byte[] data = TestData.bytes(Kind.TEXT, 20_000, 0);
        byte[] lz4 = compress(data);
        protocolError(Codec.LZ4, ByteBuffer.wrap(lz4, 0, lz4.length - cut), data.length);
    }

    @Test
    void emptyLz4PayloadIsRejected() {
        protocolError(Codec.LZ4, ByteBuffer.allocate(0), 100);
    }

    @Test
    void reconstructedLengthTooSmallIsRejected() {
        byte[] data = TestData.bytes(Kind.TEXT, 20_000, 0);
        byte[] lz4 = compress(data);
        protocolError(Codec.LZ4, ByteBuffer.wrap(lz4), data.length - 1);
        protocolError(Codec.LZ4, ByteBuffer.wrap(lz4), data.length / 2);
        protocolError(Codec.LZ4, ByteBuffer.wrap(lz4), 1);
    }

    @Test
    void reconstructedLengthTooLargeIsRejected() {
        byte[] data = TestData.bytes(Kind.TEXT, 20_000, 0);
        byte[] lz4 = compress(data);
        DwcpException e = protocolError(Codec.LZ4, ByteBuffer.wrap(lz4), data.length + 1);
        assertTrue(e.getMessage().contains("reason=lz4-length-mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("got=20000 want=20001"), e.getMessage());
    }

    @Test
    void reconstructedLengthAboveScratchIsRejected() {
        byte[] data = TestData.bytes(Kind.ZEROS, BS + 1, 0);
        DwcpException e = protocolError(Codec.LZ4, ByteBuffer.wrap(compress(data)), BS + 1);
        assertTrue(e.getMessage().contains("reason=block-too-large"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void nonPositiveReconstructedLengthIsRejected(int length) {
        protocolError(Codec.LZ4, ByteBuffer.wrap(compress(new byte[100])), length);
        protocolError(Codec.RAW, ByteBuffer.allocate(0), length);
    }

    @Test
    void rawPayloadOfTheWrongLengthIsRejected() throws Exception {
        protocolError(Codec.RAW, ByteBuffer.allocate(100), 101);
        protocolError(Codec.RAW, ByteBuffer.allocate(100), 99);
        ByteBuffer ok = ByteBuffer.allocate(100);
        assertEquals(100, new BlockDecoder(BS).decode(Codec.RAW, ok, 100).remaining());
    }

    @Test
    void randomGarbageNeverYieldsWrongLengthOrOtherExceptions() {
        SplittableRandom rnd = new SplittableRandom(1234);
        BlockDecoder d = new BlockDecoder(BS);
        int rejected = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] garbage = new byte[1 + rnd.nextInt(400)];
            rnd.nextBytes(garbage);
            int length = 1 + rnd.nextInt(BS);
            ByteBuffer payload = (i % 2 == 0) ? ByteBuffer.wrap(garbage)
                    : ByteBuffer.allocateDirect(garbage.length).put(garbage).flip();
            rejected += decodeOrReject(d, payload, length);
        }
        assertTrue(rejected > 4000, "almost all garbage must be rejected, was " + rejected);
    }

    @Test
    void mutatedPayloadsNeverYieldWrongLengthOrOtherExceptions() {
        byte[] data = TestData.bytes(Kind.TEXT, 30_000, 0);
        byte[] lz4 = compress(data);
        SplittableRandom rnd = new SplittableRandom(99);
        BlockDecoder d = new BlockDecoder(BS);
        for (int i = 0; i < 5000; i++) {
            byte[] m = lz4.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int f = 0; f < flips; f++) {
                m[rnd.nextInt(m.length)] ^= (byte) (1 + rnd.nextInt(255));
            }
            // Sometimes also cut or extend the payload.
            if (rnd.nextInt(4) == 0) {
                m = Arrays.copyOf(m, Math.max(1, m.length + rnd.nextInt(-20, 21)));
            }
            ByteBuffer payload = (i % 2 == 0) ? ByteBuffer.wrap(m) : ByteBuffer.allocateDirect(m.length).put(m).flip();
            decodeOrReject(d, payload, data.length);
        }
    }

    /** Returns 1 if rejected with a PROTOCOL error, 0 if decoded to exactly {@code length} bytes; else fails. */
    private static int decodeOrReject(BlockDecoder d, ByteBuffer payload, int length) {
        try {
            ByteBuffer out = d.decode(Codec.LZ4, payload, length);
            assertEquals(length, out.remaining(), "decoder returned wrong-length output");
            return 0;
        } catch (DwcpException e) {
            assertEquals(ErrorCode.PROTOCOL, e.code());
            return 1;
        } catch (RuntimeException | Error e) {
            fail("decoder threw " + e + " instead of a DwcpException", e);
            return -1;
        }
    }
}
