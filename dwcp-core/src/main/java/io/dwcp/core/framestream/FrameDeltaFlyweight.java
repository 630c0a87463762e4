package io.dwcp.core.framestream;

import io.dwcp.core.DwcpException;
import java.nio.ByteBuffer;

/**
 * Reads and writes a frame header ({@link FrameDeltaDescriptor}) at index 0 of a caller-owned big-endian
 * buffer, without allocating.
 */
final class FrameDeltaFlyweight {
    private ByteBuffer buf;

    FrameDeltaFlyweight wrap(ByteBuffer buffer) {
        this.buf = buffer;
        return this;
    }

    /** Writes the header at index 0; the basis digest is {@code digest[at, at+16)}, or zeros when null. */
    void encode(FrameCodec codec, int flags, int length, long key, int wireLength, int crc, byte[] digest, int at,
                int basisLength) {
        buf.put(FrameDeltaDescriptor.CODEC_OFFSET, (byte) codec.code())
                .put(FrameDeltaDescriptor.FLAGS_OFFSET, (byte) flags)
                .putShort(FrameDeltaDescriptor.RESERVED_OFFSET, (short) 0)
                .putInt(FrameDeltaDescriptor.LENGTH_OFFSET, length)
                .putLong(FrameDeltaDescriptor.KEY_OFFSET, key)
                .putInt(FrameDeltaDescriptor.WIRE_LENGTH_OFFSET, wireLength)
                .putInt(FrameDeltaDescriptor.CRC_OFFSET, crc)
                .putInt(FrameDeltaDescriptor.BASIS_LENGTH_OFFSET, basisLength)
                .putInt(FrameDeltaDescriptor.RESERVED2_OFFSET, 0);
        if (digest == null) {
            buf.putLong(FrameDeltaDescriptor.BASIS_DIGEST_OFFSET, 0L).putLong(FrameDeltaDescriptor.BASIS_DIGEST_OFFSET + 8, 0L);
        } else {
            buf.put(FrameDeltaDescriptor.BASIS_DIGEST_OFFSET, digest, at, 16);
        }
    }

    FrameCodec codec() throws DwcpException {
        return FrameCodec.of(buf.get(FrameDeltaDescriptor.CODEC_OFFSET) & 0xff);
    }

    int flags() {
        return buf.get(FrameDeltaDescriptor.FLAGS_OFFSET) & 0xff;
    }

    boolean zeroBasis() {
        return (flags() & FrameDeltaDescriptor.FLAG_ZERO_BASIS) != 0;
    }

    int length() {
        return buf.getInt(FrameDeltaDescriptor.LENGTH_OFFSET);
    }

    long key() {
        return buf.getLong(FrameDeltaDescriptor.KEY_OFFSET);
    }

    int wireLength() {
        return buf.getInt(FrameDeltaDescriptor.WIRE_LENGTH_OFFSET);
    }

    int crc() {
        return buf.getInt(FrameDeltaDescriptor.CRC_OFFSET);
    }

    int basisLength() {
        return buf.getInt(FrameDeltaDescriptor.BASIS_LENGTH_OFFSET);
    }

    /** Copies the named basis digest into {@code out[at, at+16)}. */
    void basisDigest(byte[] out, int at) {
        buf.get(FrameDeltaDescriptor.BASIS_DIGEST_OFFSET, out, at, 16);
    }

    /** True when this header names a cached frame as its basis. */
    boolean namesBasis() throws DwcpException {
        return codec().isXor() && !zeroBasis();
    }

    /**
     * Checks the header on its own, before any payload byte is read: every length the reader will size a
     * read or a buffer by is bounded here by {@code maxFrame}, the stream's largest frame.
     */
    void validate(int maxFrame) throws DwcpException {
        FrameCodec codec = codec();
        int length = length();
        int wire = wireLength();
        long key = key();
        if (buf.getShort(FrameDeltaDescriptor.RESERVED_OFFSET) != 0 || buf.getInt(FrameDeltaDescriptor.RESERVED2_OFFSET) != 0) {
            throw bad("reserved-not-zero", key);
        }
        if (codec == FrameCodec.END) {
            if (flags() != 0 || length != 0 || wire != 0 || key != 0 || crc() != 0 || basisLength() != 0 || digestNonZero()) {
                throw bad("end-not-empty", key);
            }
            return;
        }
        if (length < 0 || length > maxFrame) {
            throw DwcpException.protocol("frame=frame-delta reason=too-long key=" + key + " length="
                    + Integer.toUnsignedString(length) + " max=" + maxFrame);
        }
        if (wire < 0) {
            throw bad("bad-wire-length", key);
        }
        int allowedFlags = codec.isXor() ? FrameDeltaDescriptor.FLAG_ZERO_BASIS : 0;
        if ((flags() & ~allowedFlags) != 0) {
            throw DwcpException.protocol("frame=frame-delta reason=bad-flags key=" + key + " flags=" + flags());
        }
        if (!namesBasis() && (basisLength() != 0 || digestNonZero())) {
            throw bad("unexpected-basis", key);
        }
        int basisLength = basisLength();
        if (basisLength < 0 || basisLength > maxFrame) {
            throw DwcpException.protocol("frame=frame-delta reason=basis-too-long key=" + key + " basis_length="
                    + Integer.toUnsignedString(basisLength) + " max=" + maxFrame);
        }
        long map = FrameDeltaDescriptor.mapLength(length);
        boolean ok = switch (codec) {
            case RAW -> wire == length;
            case XOR -> length > 0 && (wire == 0 || (wire >= map && wire <= map + length));
            case XOR_LZ4 -> length > 0 && wire > 0 && wire <= FrameDeltaDescriptor.maxLz4Length((int) map + length);
            case END -> true;
        };
        if (!ok) {
            throw DwcpException.protocol("frame=frame-delta reason=bad-wire-length key=" + key + " codec="
                    + codec.code() + " length=" + length + " wire=" + wire);
        }
    }

    private boolean digestNonZero() {
        return buf.getLong(FrameDeltaDescriptor.BASIS_DIGEST_OFFSET) != 0 || buf.getLong(FrameDeltaDescriptor.BASIS_DIGEST_OFFSET + 8) != 0;
    }

    private static DwcpException bad(String reason, long key) {
        return DwcpException.protocol("frame=frame-delta reason=" + reason + " key=" + key);
    }
}
