package io.dwcp.core.frame;

import io.dwcp.core.DwcpException;

/**
 * Payload encodings of a DATA frame. Codes 2 (XOR delta) and 3 (XOR delta + LZ4) are reserved for the delta
 * codecs; a peer that receives a code it does not implement fails the frame with a protocol error.
 */
public enum Codec {
    /** The reconstructed bytes as they are. */
    RAW(0),
    /** LZ4 block format; decoded with the safe decompressor to exactly the reconstructed length. */
    LZ4(1),
    /** An all-zero block: no payload at all (holes in images and databases cost a header). */
    ZERO(4);

    private final int code;

    Codec(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Codec of(int code) throws DwcpException {
        return switch (code) {
            case 0 -> RAW;
            case 1 -> LZ4;
            case 4 -> ZERO;
            default -> throw DwcpException.protocol("frame=data reason=unknown-codec codec=" + code);
        };
    }
}
