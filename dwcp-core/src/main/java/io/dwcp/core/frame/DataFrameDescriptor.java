package io.dwcp.core.frame;

import io.dwcp.core.Limits;

/**
 * Layout of a {@code DATA} frame: the common prefix, a fixed 48-byte header, then {@code wire length} bytes
 * of payload encoded with {@code codec}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |           prefix: magic, version, type=DATA, body length      |  8 bytes
 *  +---------------+---------------+-------------------------------+
 *  |     codec     |     flags     |           reserved            |  +0
 *  +---------------+---------------+-------------------------------+
 *  |                            file id                            |  +4
 *  +---------------------------------------------------------------+
 *  |                      offset in file (64 bit)                  |  +8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    reconstructed length                       |  +16
 *  +---------------------------------------------------------------+
 *  |                         wire length                           |  +20
 *  +---------------------------------------------------------------+
 *  |     basis digest (128 bit, zero unless a page codec)          |  +24
 *  |                                                               |
 *  |                                                               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              CRC32C of the reconstructed bytes                |  +40
 *  +---------------------------------------------------------------+
 *  |                           reserved                            |  +44
 *  +---------------------------------------------------------------+
 *  |                  payload (wire length bytes) ...              |  +48
 * </pre>
 *
 * Invariants checked by the receiver before reading the payload: body length = 48 + wire length;
 * reconstructed length in 1..block size; offset a multiple of the block size; for RAW, wire length =
 * reconstructed length; for LZ4, wire length at most {@link #maxWireLength(int)}; for the page codecs
 * ({@link Codec#usesBasis()}) at most {@link PageMapDescriptor#maxPayload(int)}, or its LZ4 bound. The basis digest
 * of a page codec is the XXH3-128 of the receiver's basis block the payload applies to.
 */
public final class DataFrameDescriptor {
    public static final int HEADER_LENGTH = 48;
    public static final int FRAME_HEADER_LENGTH = FrameDescriptor.PREFIX_LENGTH + HEADER_LENGTH;

    public static final int CODEC_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;
    public static final int FILE_ID_OFFSET = 4;
    public static final int FILE_OFFSET_OFFSET = 8;
    public static final int RECONSTRUCTED_LENGTH_OFFSET = 16;
    public static final int WIRE_LENGTH_OFFSET = 20;
    public static final int BASIS_DIGEST_OFFSET = 24;
    public static final int CRC_OFFSET = 40;

    private DataFrameDescriptor() {
    }

    /** Worst-case LZ4 output for {@code length} input bytes (the LZ4 block format bound). */
    public static int maxWireLength(int length) {
        return length + length / 255 + 16;
    }

    /** Largest wire length of a block of {@code length} bytes under {@code codec}. */
    public static int maxWireLength(Codec codec, int length) {
        return switch (codec) {
            case RAW -> length;
            case ZERO -> 0;
            case LZ4 -> maxWireLength(length);
            case PAGES, XOR -> PageMapDescriptor.maxPayload(length);
            case PAGES_LZ4, XOR_LZ4 -> maxWireLength(PageMapDescriptor.maxPayload(length));
        };
    }

    /** Largest payload any codec can put in a frame of a block of {@code blockSize} bytes (receive buffers' size). */
    public static int maxPayload(int blockSize) {
        return maxWireLength(PageMapDescriptor.maxPayload(blockSize));
    }

    /** Largest body a DATA frame can legally have; the data-plane reader bounds every frame by it. */
    public static int maxBody() {
        return HEADER_LENGTH + maxPayload(Limits.MAX_BLOCK_SIZE);
    }
}
