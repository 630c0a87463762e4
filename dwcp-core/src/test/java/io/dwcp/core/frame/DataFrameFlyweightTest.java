package io.dwcp.core.frame;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.frame.Codec;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataFrameFlyweightTest {
    private static final int BS = 1 << 20;
    private static final int H = FrameDescriptor.PREFIX_LENGTH;

    private final ByteBuffer buf = ByteBuffer.allocate(DataFrameDescriptor.FRAME_HEADER_LENGTH);
    private final DataFrameFlyweight f = new DataFrameFlyweight().wrap(buf);

    private String rejected(String reason) {
        DwcpException e = assertThrows(DwcpException.class, () -> f.validate(BS));
        assertEquals(ErrorCode.PROTOCOL, e.code());
        assertTrue(e.getMessage().contains("reason=" + reason), e.getMessage());
        return e.getMessage();
    }

    @Test
    void encodeWritesEveryFieldAtItsDocumentedOffset() throws Exception {
        long offset = 0x0000_0123_4560_0000L; // a multiple of 1 MiB above 4 GiB
        f.encode(Codec.LZ4, 0x7eadbeef, offset, BS - 5, 0x1234, 0xcafebabe);
        assertEquals(0, buf.position());
        assertEquals(DataFrameDescriptor.FRAME_HEADER_LENGTH, buf.limit());

        // Prefix.
        assertEquals(FrameDescriptor.MAGIC, buf.getShort(0));
        assertEquals(FrameDescriptor.VERSION, buf.get(2));
        assertEquals(FrameType.DATA.code(), buf.get(3));
        assertEquals(48 + 0x1234, buf.getInt(4));
        // Header, big-endian, absolute offsets from the descriptor.
        assertEquals(1, buf.get(H + DataFrameDescriptor.CODEC_OFFSET));
        assertEquals(0, buf.get(H + DataFrameDescriptor.FLAGS_OFFSET));
        assertEquals(0, buf.getShort(H + 2));
        assertEquals(0x7e, buf.get(H + DataFrameDescriptor.FILE_ID_OFFSET) & 0xff);
        assertEquals(0x7eadbeef, buf.getInt(H + DataFrameDescriptor.FILE_ID_OFFSET));
        assertEquals(offset, buf.getLong(H + DataFrameDescriptor.FILE_OFFSET_OFFSET));
        assertEquals(BS - 5, buf.getInt(H + DataFrameDescriptor.RECONSTRUCTED_LENGTH_OFFSET));
        assertEquals(0x1234, buf.getInt(H + DataFrameDescriptor.WIRE_LENGTH_OFFSET));
        assertEquals(0L, buf.getLong(H + DataFrameDescriptor.BASIS_DIGEST_OFFSET));
        assertEquals(0L, buf.getLong(H + DataFrameDescriptor.BASIS_DIGEST_OFFSET + 8));
        assertEquals(0xcafebabe, buf.getInt(H + DataFrameDescriptor.CRC_OFFSET));
        assertEquals(0, buf.getInt(H + 44));

        // And the flyweight reads them back, including from a fresh flyweight over a copy.
        DataFrameFlyweight g = new DataFrameFlyweight().wrap(ByteBuffer.allocateDirect(56).put(buf.duplicate()).flip());
        for (DataFrameFlyweight x : new DataFrameFlyweight[] {f, g}) {
            assertEquals(Codec.LZ4, x.codec());
            assertEquals(0x7eadbeef, x.fileId());
            assertEquals(offset, x.offset());
            assertEquals(BS - 5, x.reconstructedLength());
            assertEquals(0x1234, x.wireLength());
            assertEquals(0xcafebabe, x.crc());
            assertEquals(48 + 0x1234, x.bodyLength());
        }
        assertEquals(FrameType.DATA, FrameDescriptor.checkPrefix(buf, 0, DataFrameDescriptor.maxBody()));
        f.validate(BS);
    }

    @Test
    void encodeOverwritesEarlierContents() throws Exception {
        for (int i = 0; i < buf.capacity(); i++) {
            buf.put(i, (byte) 0xff);
        }
        buf.position(17);
        f.encode(Codec.RAW, 0, 0, 1, 1, 0);
        assertEquals(0, buf.position());
        assertEquals(0, buf.get(H + DataFrameDescriptor.CODEC_OFFSET));
        assertEquals(0L, buf.getLong(H + DataFrameDescriptor.BASIS_DIGEST_OFFSET));
        assertEquals(0, buf.getInt(H + 44));
        f.validate(BS);
    }

    @Test
    void legalFramesPass() {
        assertDoesNotThrow(() -> {
            f.encode(Codec.RAW, 0, 0, 1, 1, 0);
            f.validate(BS);
            f.encode(Codec.RAW, 1, 7L * BS, BS, BS, 0);
            f.validate(BS);
            f.encode(Codec.LZ4, 2, 0, BS, 1, 0);
            f.validate(BS);
            f.encode(Codec.LZ4, 2, 0, BS, DataFrameDescriptor.maxWireLength(BS), 0);
            f.validate(BS);
            f.encode(Codec.RAW, 3, (long) Integer.MAX_VALUE * BS, 4096, 4096, 0);
            f.validate(BS);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, BS + 1, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void reconstructedLengthOutsideOneToBlockSizeIsRejected(int length) {
        f.encode(Codec.LZ4, 0, 0, length, 10, 0);
        assertTrue(rejected("bad-length").contains("length=" + length));
        // RAW with wire = reconstructed length (the length check must not depend on the codec).
        if (length >= 0 && length <= DataFrameDescriptor.maxWireLength(Limits.MAX_BLOCK_SIZE)) {
            f.encode(Codec.RAW, 0, 0, length, length, 0);
            rejected("bad-length");
        }
    }

    @Test
    void zeroLengthRawFrameIsRejected() {
        // A file of size 0 sends no blocks: an empty DATA frame is never legal.
        f.encode(Codec.RAW, 0, 0, 0, 0, 0);
        rejected("bad-length");
    }

    @Test
    void bodyLengthMustBeHeaderPlusWire() {
        f.encode(Codec.RAW, 0, 0, 100, 100, 0);
        buf.putInt(4, 48 + 99);
        assertTrue(rejected("length-mismatch").contains("body=147 wire=100"));
        buf.putInt(4, 48 + 101);
        rejected("length-mismatch");
        buf.putInt(4, 100);
        rejected("length-mismatch");
    }

    @Test
    void negativeWireLengthIsRejected() {
        f.encode(Codec.LZ4, 0, 0, 100, -1, 0);
        assertEquals(47, f.bodyLength());
        rejected("length-mismatch");
    }

    @Test
    void wireLengthThatOverflowsTheBodyLengthIsRejected() {
        // 48 + MAX_VALUE wraps to a negative body length: consistent in int arithmetic, still never legal.
        for (Codec c : Codec.values()) {
            f.encode(c, 0, 0, 100, Integer.MAX_VALUE, 0);
            assertThrows(DwcpException.class, () -> f.validate(BS), c.name());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 4096, BS - 1, BS + 1, 3L * BS + 512, Long.MAX_VALUE})
    void unalignedOffsetIsRejected(long offset) {
        f.encode(Codec.RAW, 0, offset, 100, 100, 0);
        assertTrue(rejected("unaligned-offset").contains("offset=" + offset));
    }

    @ParameterizedTest
    @ValueSource(longs = {-BS, -1, Long.MIN_VALUE})
    void negativeOffsetIsRejected(long offset) {
        // -BS and Long.MIN_VALUE are multiples of the block size: only the sign check catches them.
        f.encode(Codec.RAW, 0, offset, 100, 100, 0);
        rejected("unaligned-offset");
    }

    @Test
    void rawWireLengthMustEqualReconstructedLength() {
        f.encode(Codec.RAW, 0, 0, 100, 99, 0);
        assertTrue(rejected("raw-length-mismatch").contains("wire=99 length=100"));
        f.encode(Codec.RAW, 0, 0, 100, 101, 0);
        rejected("raw-length-mismatch");
    }

    @Test
    void lz4WireLengthIsBounded() {
        int recon = 1000;
        f.encode(Codec.LZ4, 0, 0, recon, DataFrameDescriptor.maxWireLength(recon) + 1, 0);
        rejected("lz4-too-long");
        f.encode(Codec.LZ4, 0, 0, recon, 0, 0);
        rejected("lz4-too-long");
        // Bounded by the frame's own reconstructed length, not the block size.
        f.encode(Codec.LZ4, 0, 0, 10, 200, 0);
        rejected("lz4-too-long");
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 8, 127, 128, 255})
    void unknownCodecIsRejected(int code) {
        f.encode(Codec.RAW, 0, 0, 100, 100, 0);
        buf.put(H + DataFrameDescriptor.CODEC_OFFSET, (byte) code);
        DwcpException e = assertThrows(DwcpException.class, () -> f.validate(BS));
        assertEquals(ErrorCode.PROTOCOL, e.code());
        assertTrue(e.getMessage().contains("reason=unknown-codec codec=" + code), e.getMessage());
        assertThrows(DwcpException.class, f::codec);
    }

    @Test
    void zeroCodecCarriesNoPayload() throws Exception {
        f.encode(Codec.ZERO, 1, 2L * BS, BS, 0, 0);
        assertEquals(4, buf.get(H + DataFrameDescriptor.CODEC_OFFSET), "ZERO is codec 4 on the wire");
        assertEquals(48, f.bodyLength());
        f.validate(BS);
        assertEquals(Codec.ZERO, f.codec());
        f.encode(Codec.ZERO, 1, 0, 1, 0, 0);
        f.validate(BS);
        f.encode(Codec.ZERO, 1, 0, 100, 1, 0);
        assertTrue(rejected("zero-with-payload").contains("wire=1"));
        f.encode(Codec.ZERO, 1, 0, 100, 100, 0);
        rejected("zero-with-payload");
        // Its reconstructed length is bounded like any other.
        f.encode(Codec.ZERO, 1, 0, 0, 0, 0);
        rejected("bad-length");
        f.encode(Codec.ZERO, 1, 0, BS + 1, 0, 0);
        rejected("bad-length");
        f.encode(Codec.ZERO, 1, 5, 100, 0, 0);
        rejected("unaligned-offset");
    }

    @Test
    void maxWireLengthIsTheLz4Bound() {
        // LZ4_COMPRESSBOUND(n) = n + n/255 + 16
        assertEquals(17, DataFrameDescriptor.maxWireLength(1));
        assertEquals(4096 + 16 + 16, DataFrameDescriptor.maxWireLength(4096));
        assertEquals(16777216 + 65793 + 16, DataFrameDescriptor.maxWireLength(Limits.MAX_BLOCK_SIZE));
    }
}
