package io.dwcp.core.frame;

import io.dwcp.core.DwcpException;

/**
 * Payload encodings of a DATA frame. The page codecs rebuild a block from the receiver's basis block (the block
 * at the same offset of the file the receiver already holds) and a page-map payload ({@link PageMapDescriptor});
 * their frames name the basis block's digest, so they can never be applied to another basis. A peer that receives
 * a code it does not know fails the frame with a protocol error.
 */
public enum Codec {
    /** The reconstructed bytes as they are. */
    RAW(0),
    /** LZ4 block format; decoded with the safe decompressor to exactly the reconstructed length. */
    LZ4(1),
    /** Page map + the XOR of each changed page with the basis page (the sender knows the basis: {@code --base}). */
    XOR(2),
    /** {@link #XOR}, then LZ4 over the whole page-map payload. */
    XOR_LZ4(3),
    /** An all-zero block: no payload at all (holes in images and databases cost a header). */
    ZERO(4),
    /** Page map + the changed pages themselves (the receiver's basis, refined to pages by their digests). */
    PAGES(5),
    /** {@link #PAGES}, then LZ4 over the whole page-map payload. */
    PAGES_LZ4(6);

    private final int code;

    Codec(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** True for the codecs that rebuild the block from the receiver's basis block and a page map. */
    public boolean usesBasis() {
        return this == XOR || this == XOR_LZ4 || this == PAGES || this == PAGES_LZ4;
    }

    /** True when the payload is LZ4-compressed (the page-map payload for the page codecs). */
    public boolean lz4() {
        return this == LZ4 || this == XOR_LZ4 || this == PAGES_LZ4;
    }

    public static Codec of(int code) throws DwcpException {
        return switch (code) {
            case 0 -> RAW;
            case 1 -> LZ4;
            case 2 -> XOR;
            case 3 -> XOR_LZ4;
            case 4 -> ZERO;
            case 5 -> PAGES;
            case 6 -> PAGES_LZ4;
            default -> throw DwcpException.protocol("frame=data reason=unknown-codec codec=" + code);
        };
    }
}
