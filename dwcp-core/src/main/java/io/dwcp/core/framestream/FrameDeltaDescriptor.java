package io.dwcp.core.framestream;

/**
 * Layout of one frame of a frame stream: a fixed 48-byte header, then {@code wire length} bytes.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |     codec     |     flags     |           reserved            |  +0
 *  +---------------+---------------+-------------------------------+
 *  |                  frame length (reconstructed)                 |  +4
 *  +---------------------------------------------------------------+
 *  |                          key (64 bit)                         |  +8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 wire length (bytes after the header)          |  +16
 *  +---------------------------------------------------------------+
 *  |               CRC32C of the reconstructed frame               |  +20
 *  +---------------------------------------------------------------+
 *  |   basis digest: XXH3-128 of the previous frame of this key    |  +24
 *  |   (zero unless an XOR codec without ZERO_BASIS)               |
 *  |                                                               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |       basis length (zero unless XOR without ZERO_BASIS)       |  +40
 *  +---------------------------------------------------------------+
 *  |                           reserved                            |  +44
 *  +---------------------------------------------------------------+
 *  |  RAW: the frame.  XOR: page-map payload.  XOR_LZ4: one LZ4    |  +48
 *  |  block of the page-map payload.                                |
 *  +---------------------------------------------------------------+
 *
 *  page-map payload (the layout of io.dwcp.core.frame.PageMapDescriptor, as in DATA frames):
 *  +---------------------------------------------------------------+
 *  |  page map: ceil(pages / 64) 64-bit words, little-endian;      |
 *  |  bit p % 64 of word p / 64 set = page p differs from the basis |
 *  +---------------------------------------------------------------+
 *  |  the XOR of each set page with the basis page, in page order:  |
 *  |  4096 bytes each, the frame's last page as long as it is       |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A page is {@link FrameStreamDescriptor#PAGE_SIZE} bytes; a frame of length {@code n} has
 * {@code ceil(n / 4096)} pages, the last one possibly short, and its XOR bytes are only as long as it is.
 * The basis is the previous frame of the key, zero-extended when the new frame is longer; with the
 * {@link #FLAG_ZERO_BASIS} flag the basis is all zeros (a key the reader has no basis for), so only the
 * non-zero pages travel. An XOR frame with wire length 0 has no payload at all: nothing differs from its
 * basis (an unchanged frame costs its header).
 *
 * <p>Checked before a payload byte is read (see {@link FrameDeltaFlyweight#validate}): frame length at most
 * the stream's largest frame; RAW: wire = length; XOR: wire 0 or map ≤ wire ≤ map + length; XOR_LZ4:
 * 1 ≤ wire ≤ {@link #maxLz4Length(int) maxLz4Length}(map + length); XOR needs length ≥ 1; END is all
 * zeros; the basis fields are zero unless named. Then: a named basis must be the reader's cached frame of
 * the key with that digest and length; LZ4 is decoded with the safe decompressor into at most map + length
 * bytes; no map bit beyond the last page is set; the payload is exactly the map and its pages; and the CRC32C
 * of the reconstruction matches.
 */
public final class FrameDeltaDescriptor {
    public static final int HEADER_LENGTH = 48;

    public static final int CODEC_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;
    public static final int RESERVED_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int KEY_OFFSET = 8;
    public static final int WIRE_LENGTH_OFFSET = 16;
    public static final int CRC_OFFSET = 20;
    public static final int BASIS_DIGEST_OFFSET = 24;
    public static final int BASIS_LENGTH_OFFSET = 40;
    public static final int RESERVED2_OFFSET = 44;

    /** XOR codecs only: the basis is all zeros, not a cached frame; digest and basis length are zero. */
    public static final int FLAG_ZERO_BASIS = 1;

    private FrameDeltaDescriptor() {
    }

    /** Pages of a frame of {@code length} bytes. */
    public static int pageCount(long length) {
        return (int) ((length + FrameStreamDescriptor.PAGE_SIZE - 1) / FrameStreamDescriptor.PAGE_SIZE);
    }

    /** Bytes of the page map of a frame of {@code length} bytes. */
    public static int mapLength(long length) {
        return ((pageCount(length) + 63) >>> 6) * Long.BYTES;
    }

    /** Worst-case LZ4 block for {@code length} input bytes. */
    public static int maxLz4Length(int length) {
        return length + length / 255 + 16;
    }

    /** Largest page-map payload of a frame of {@code length} bytes: every page travels. */
    public static int maxPayload(int length) {
        return mapLength(length) + length;
    }

    /** The most bytes a frame of at most {@code maxFrame} bytes can put after its header. */
    public static int maxWireLength(int maxFrame) {
        return maxLz4Length(maxPayload(maxFrame));
    }
}
