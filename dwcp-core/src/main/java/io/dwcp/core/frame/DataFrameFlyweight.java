package io.dwcp.core.frame;

import io.dwcp.core.DwcpException;
import java.nio.ByteBuffer;

/**
 * Reads and writes a DATA frame's prefix and header in a caller-owned buffer, without allocating. The
 * buffer holds {@link DataFrameDescriptor#FRAME_HEADER_LENGTH} bytes starting at index 0.
 */
public final class DataFrameFlyweight {
    private static final int H = FrameDescriptor.PREFIX_LENGTH;
    private ByteBuffer buf;

    public DataFrameFlyweight wrap(ByteBuffer buffer) {
        this.buf = buffer;
        return this;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    /** Writes prefix and header of a frame that needs no basis (its basis digest is zero). */
    public void encode(Codec codec, int fileId, long offset, int reconstructedLength, int wireLength, int crc) {
        encode(codec, fileId, offset, reconstructedLength, wireLength, crc, null, 0);
    }

    /**
     * Writes prefix and header; {@code basisDigest[basisAt, basisAt + 16)} names the basis block a page codec
     * applies to (null: zero).
     */
    public void encode(Codec codec, int fileId, long offset, int reconstructedLength, int wireLength, int crc,
                       byte[] basisDigest, int basisAt) {
        buf.clear();
        FrameDescriptor.writePrefix(buf, FrameType.DATA, DataFrameDescriptor.HEADER_LENGTH + wireLength);
        buf.put((byte) codec.code()).put((byte) 0).putShort((short) 0)
                .putInt(fileId)
                .putLong(offset)
                .putInt(reconstructedLength)
                .putInt(wireLength)
                .putLong(basisDigest == null ? 0L : longAt(basisDigest, basisAt))
                .putLong(basisDigest == null ? 0L : longAt(basisDigest, basisAt + 8))
                .putInt(crc)
                .putInt(0);
        buf.flip();
    }

    public Codec codec() throws DwcpException {
        return Codec.of(buf.get(H + DataFrameDescriptor.CODEC_OFFSET) & 0xff);
    }

    public int fileId() {
        return buf.getInt(H + DataFrameDescriptor.FILE_ID_OFFSET);
    }

    public long offset() {
        return buf.getLong(H + DataFrameDescriptor.FILE_OFFSET_OFFSET);
    }

    public int reconstructedLength() {
        return buf.getInt(H + DataFrameDescriptor.RECONSTRUCTED_LENGTH_OFFSET);
    }

    public int wireLength() {
        return buf.getInt(H + DataFrameDescriptor.WIRE_LENGTH_OFFSET);
    }

    /** True when the frame's basis digest equals {@code digest[at, at + 16)}. */
    public boolean basisIs(byte[] digest, int at) {
        return buf.getLong(H + DataFrameDescriptor.BASIS_DIGEST_OFFSET) == longAt(digest, at)
                && buf.getLong(H + DataFrameDescriptor.BASIS_DIGEST_OFFSET + 8) == longAt(digest, at + 8);
    }

    /** Copies the basis digest into {@code out[at, at + 16)}. */
    public void basisDigest(byte[] out, int at) {
        for (int i = 0; i < 16; i++) {
            out[at + i] = buf.get(H + DataFrameDescriptor.BASIS_DIGEST_OFFSET + i);
        }
    }

    private static long longAt(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    public int crc() {
        return buf.getInt(H + DataFrameDescriptor.CRC_OFFSET);
    }

    public int bodyLength() {
        return FrameDescriptor.bodyLength(buf, 0);
    }

    /**
     * Checks the header's internal consistency against the transfer's block size; called before the payload
     * is read so that no length from the wire sizes a read it has not been bounded for.
     */
    public void validate(int blockSize) throws DwcpException {
        Codec codec = codec();
        int recon = reconstructedLength();
        int wire = wireLength();
        long offset = offset();
        if (bodyLength() != DataFrameDescriptor.HEADER_LENGTH + wire || wire < 0) {
            throw DwcpException.protocol("frame=data reason=length-mismatch body=" + bodyLength() + " wire=" + wire);
        }
        if (recon <= 0 || recon > blockSize) {
            throw DwcpException.protocol("frame=data reason=bad-length length=" + recon + " block_size=" + blockSize);
        }
        if (offset < 0 || offset % blockSize != 0) {
            throw DwcpException.protocol("frame=data reason=unaligned-offset offset=" + offset);
        }
        switch (codec) {
            case RAW -> {
                if (wire != recon) {
                    throw DwcpException.protocol("frame=data reason=raw-length-mismatch wire=" + wire + " length=" + recon);
                }
            }
            case ZERO -> {
                if (wire != 0) {
                    throw DwcpException.protocol("frame=data reason=zero-with-payload wire=" + wire);
                }
            }
            case LZ4, PAGES_LZ4, XOR_LZ4 -> {
                if (wire == 0 || wire > DataFrameDescriptor.maxWireLength(codec, recon)) {
                    throw DwcpException.protocol("frame=data reason=lz4-too-long wire=" + wire + " length=" + recon);
                }
            }
            case PAGES, XOR -> {
                if (wire < PageMapDescriptor.mapBytes(recon) || wire > DataFrameDescriptor.maxWireLength(codec, recon)) {
                    throw DwcpException.protocol("frame=data reason=page-payload-length wire=" + wire + " length=" + recon);
                }
            }
        }
    }
}
