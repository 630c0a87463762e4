package io.dwcp.core.framestream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.codec.CompressMode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the reader refuses: every corruption, wrong basis and oversized length, each with a clear error. */
class FrameStreamWireTest {
    private static final int PAGE = FrameStreamDescriptor.PAGE_SIZE;
    private static final int H = FrameDeltaDescriptor.HEADER_LENGTH;
    private static final FrameStreamConfig CONFIG = Recorded.config(1 << 20, 1 << 20);

    /** Records key 1 sent as {@code versions} in order, and returns the stream cut into its parts. */
    private static List<byte[]> record(FrameStreamConfig config, byte[]... versions) throws IOException {
        Recorded rec = new Recorded();
        try (FrameStreamWriter w = new FrameStreamWriter(rec.channel, config)) {
            for (byte[] v : versions) {
                w.send(1, MemorySegment.ofArray(v));
            }
        }
        return Recorded.parts(rec.toByteArray());
    }

    /** Reads the stream to its end; returns the error it stopped on, after checking that the reader then refuses use. */
    private static DwcpException failure(byte[] stream, FrameStreamConfig limits) {
        FrameStreamReader r = new FrameStreamReader(Recorded.replay(stream), limits);
        DwcpException e = assertThrows(DwcpException.class, () -> {
            while (r.next()) {
                r.read();
            }
        });
        assertThrows(IllegalStateException.class, r::next, "a failed reader stays failed");
        r.close();
        return e;
    }

    private static void assertReason(DwcpException e, ErrorCode code, String reason) {
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("reason=" + reason), e.getMessage());
    }

    private static byte[] v1() {
        return Recorded.random(11, 5 * PAGE + 123);
    }

    private static byte[] v2() {
        byte[] v = v1();
        v[2 * PAGE + 5] ^= 0x40;
        return v;
    }

    @Test
    void aDeltaIsNeverAppliedToAnotherBasis() throws IOException {
        List<byte[]> a = record(CONFIG, v1(), v2());
        byte[] other = v1();
        other[0] ^= 1;
        List<byte[]> b = record(CONFIG, other);
        // The reader holds B's first frame of key 1, and gets A's delta, made against A's first frame.
        DwcpException e = failure(Recorded.join(b.get(0), b.get(1), a.get(2), a.get(3)), CONFIG);
        assertReason(e, ErrorCode.PROTOCOL, "basis-mismatch");
        assertTrue(e.getMessage().contains("key=1"), e.getMessage());
    }

    @Test
    void aCorruptBasisDigestIsRefused() throws IOException {
        List<byte[]> a = record(CONFIG, v1(), v2());
        a.get(2)[FrameDeltaDescriptor.BASIS_DIGEST_OFFSET + 9] ^= 1;
        assertReason(failure(Recorded.join(a.toArray(byte[][]::new)), CONFIG), ErrorCode.PROTOCOL, "basis-mismatch");
    }

    @Test
    void aDeltaForAKeyTheReaderDoesNotHoldIsRefused() throws IOException {
        List<byte[]> a = record(CONFIG, v1(), v2());
        assertReason(failure(Recorded.join(a.get(0), a.get(2), a.get(3)), CONFIG), ErrorCode.PROTOCOL, "no-basis");
    }

    @Test
    void corruptBytesAreCaughtByTheCrc() throws IOException {
        FrameStreamConfig off = CONFIG.withCompress(CompressMode.OFF);
        // A RAW frame's byte, a delta page's byte, and the CRC field itself.
        List<byte[]> raw = record(off, v1());
        raw.get(1)[H + 3 * PAGE] ^= 1;
        assertReason(failure(Recorded.join(raw.toArray(byte[][]::new)), off), ErrorCode.VERIFY, "bad-crc");

        List<byte[]> delta = record(off, v1(), v2());
        assertEquals(H + 8 + PAGE, delta.get(2).length, "one page and its map");
        delta.get(2)[H + 8 + 77] ^= 1;
        assertReason(failure(Recorded.join(delta.toArray(byte[][]::new)), off), ErrorCode.VERIFY, "bad-crc");

        List<byte[]> crc = record(off, v1(), v2());
        crc.get(2)[FrameDeltaDescriptor.CRC_OFFSET] ^= 1;
        assertReason(failure(Recorded.join(crc.toArray(byte[][]::new)), off), ErrorCode.VERIFY, "bad-crc");
    }

    @Test
    void corruptLz4IsAnErrorNeverAWrongFrame() throws IOException {
        FrameStreamConfig lz4 = CONFIG.withCompress(CompressMode.LZ4);
        int length = record(lz4, v1(), v2()).get(2).length;
        int refused = 0;
        for (int at = H; at < length; at++) {
            List<byte[]> p = record(lz4, v1(), v2());
            assertEquals(FrameCodec.XOR_LZ4.code(), p.get(2)[0]);
            p.get(2)[at] ^= (byte) 0x81;
            // A changed match offset inside a run of zeros can decode to the same bytes: then both frames must be
            // exactly right. Otherwise the reader must refuse, never hand out something else.
            try (FrameStreamReader r = new FrameStreamReader(Recorded.replay(Recorded.join(p.toArray(byte[][]::new))), lz4)) {
                assertTrue(r.next());
                r.read();
                assertTrue(r.next());
                assertArrayEquals(v2(), r.read().toArray(ValueLayout.JAVA_BYTE), "corrupt byte " + at);
            } catch (DwcpException e) {
                assertTrue(e.code() == ErrorCode.PROTOCOL || e.code() == ErrorCode.VERIFY, e.getMessage());
                refused++;
            }
        }
        assertTrue(refused > (length - H) / 2, refused + " of " + (length - H) + " corruptions refused");
    }

    @Test
    void lengthsBeyondTheStreamsLargestFrameAreRefusedBeforeAnythingIsAllocated() throws IOException {
        FrameStreamConfig huge = Recorded.config(1L << 30, FrameStreamDescriptor.MAX_FRAME_LIMIT);
        byte[] stream = Recorded.join(StreamHeader.encode(Recorded.config(1 << 20, 1 << 20)).array(),
                header(FrameCodec.RAW, 0, Integer.MAX_VALUE, Integer.MAX_VALUE));
        FrameStreamReader r = new FrameStreamReader(Recorded.replay(stream), huge);
        DwcpException e = assertThrows(DwcpException.class, r::next);
        assertReason(e, ErrorCode.PROTOCOL, "too-long");
        assertEquals(0, r.bufferBytes(), "no buffer was sized by the length");
        r.close();

        // A wire length no LZ4 block of the frame can have.
        byte[] lz4 = Recorded.join(StreamHeader.encode(CONFIG).array(),
                header(FrameCodec.XOR_LZ4, FrameDeltaDescriptor.FLAG_ZERO_BASIS, PAGE, Integer.MAX_VALUE));
        FrameStreamReader r2 = new FrameStreamReader(Recorded.replay(lz4), huge);
        assertReason(assertThrows(DwcpException.class, r2::next), ErrorCode.PROTOCOL, "bad-wire-length");
        assertEquals(0, r2.bufferBytes());
        r2.close();
    }

    @Test
    void aStreamAskingForMoreThanTheReaderAllowsIsRefused() {
        byte[] big = StreamHeader.encode(Recorded.config(1 << 20, 64 << 20)).array();
        assertReason(failure(big, CONFIG), ErrorCode.LIMIT, "max-frame-over-limit");
        byte[] budget = StreamHeader.encode(Recorded.config(2 << 20, 1 << 20)).array();
        assertReason(failure(budget, CONFIG), ErrorCode.LIMIT, "cache-budget-over-limit");
        byte[] magic = StreamHeader.encode(CONFIG).array();
        magic[0] ^= 1;
        assertReason(failure(magic, CONFIG), ErrorCode.PROTOCOL, "bad-magic");
        byte[] version = StreamHeader.encode(CONFIG).array();
        version[FrameStreamDescriptor.VERSION_OFFSET] = 9;
        assertReason(failure(version, CONFIG), ErrorCode.PROTOCOL, "unsupported-version");
        byte[] page = StreamHeader.encode(CONFIG).array();
        page[FrameStreamDescriptor.PAGE_SIZE_OFFSET + 2] = 0x20;
        assertReason(failure(page, CONFIG), ErrorCode.PROTOCOL, "unsupported-page-size");
    }

    @Test
    void pageMapsMustMatchTheFrameAndThePayload() {
        // A map bit for a page the frame does not have.
        byte[] beyond = Recorded.join(StreamHeader.encode(CONFIG).array(),
                header(FrameCodec.XOR, FrameDeltaDescriptor.FLAG_ZERO_BASIS, 100, 8), leWord(0b10));
        assertReason(failure(beyond, CONFIG), ErrorCode.PROTOCOL, "page-beyond-frame");
        // A map of one page with fewer bytes than the page.
        byte[] shortPage = Recorded.join(StreamHeader.encode(CONFIG).array(),
                header(FrameCodec.XOR, FrameDeltaDescriptor.FLAG_ZERO_BASIS, 2 * PAGE, 8 + 100), leWord(0b01),
                new byte[100]);
        assertReason(failure(shortPage, CONFIG), ErrorCode.PROTOCOL, "page-payload-mismatch");
        // An unknown codec, and flags a RAW frame cannot have.
        byte[] codec = header(FrameCodec.RAW, 0, 0, 0);
        codec[0] = 7;
        assertReason(failure(Recorded.join(StreamHeader.encode(CONFIG).array(), codec), CONFIG), ErrorCode.PROTOCOL,
                "unknown-codec");
        assertReason(failure(Recorded.join(StreamHeader.encode(CONFIG).array(), header(FrameCodec.RAW, 1, 0, 0)), CONFIG),
                ErrorCode.PROTOCOL, "bad-flags");
    }

    @Test
    void aStreamThatStopsBeforeItsEndFrameIsTruncated() throws IOException {
        List<byte[]> a = record(CONFIG, v1(), v2());
        assertReason(failure(Recorded.join(a.get(0), a.get(1)), CONFIG), ErrorCode.PROTOCOL, "truncated");
        byte[] cut = a.get(2);
        assertReason(failure(Recorded.join(a.get(0), a.get(1), java.util.Arrays.copyOf(cut, cut.length - 1)), CONFIG),
                ErrorCode.PROTOCOL, "truncated");
        // And the whole stream still reads.
        try (FrameStreamReader r = new FrameStreamReader(Recorded.replay(Recorded.join(a.toArray(byte[][]::new))), CONFIG)) {
            assertTrue(r.next());
            assertArrayEquals(v1(), r.read().toArray(ValueLayout.JAVA_BYTE));
            assertTrue(r.next());
            assertTrue(r.isDelta());
            assertArrayEquals(v2(), r.read().toArray(ValueLayout.JAVA_BYTE));
            assertFalse(r.next());
        }
    }

    private static byte[] header(FrameCodec codec, int flags, int length, int wire) {
        ByteBuffer b = ByteBuffer.allocate(H);
        new FrameDeltaFlyweight().wrap(b).encode(codec, flags, length, 5L, wire, 0, null, 0, 0);
        return b.array();
    }

    private static byte[] leWord(long w) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(w).array();
    }
}
