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

    /** Writes prefix and header; the basis digest is zero (no delta codec in this version). */
    public void encode(Codec codec, int fileId, long offset, int reconstructedLength, int wireLength, int crc) {
        buf.clear();
        FrameDescriptor.writePrefix(buf, FrameType.DATA, DataFrameDescriptor.HEADER_LENGTH + wireLength);
        buf.put((byte) codec.code()).put((byte) 0).putShort((short) 0)
                .putInt(fileId)
                .putLong(offset)
                .putInt(reconstructedLength)
                .putInt(wireLength)
                .putLong(0L).putLong(0L)
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
            case LZ4 -> {
                if (wire == 0 || wire > DataFrameDescriptor.maxWireLength(recon)) {
                    throw DwcpException.protocol("frame=data reason=lz4-too-long wire=" + wire + " length=" + recon);
                }
            }
        }
    }
}
