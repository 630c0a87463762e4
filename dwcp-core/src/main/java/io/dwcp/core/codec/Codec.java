package io.dwcp.core.codec;

import io.dwcp.core.DwcpException;

/**
 * Payload encodings of a DATA frame. Codes 2 (XOR delta) and 3 (XOR delta + LZ4) are reserved for the delta
 * codecs; a peer that receives a code it does not implement fails the frame with a protocol error.
 */
public enum Codec {
    RAW(0),
    LZ4(1);

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
            default -> throw DwcpException.protocol("frame=data reason=unknown-codec codec=" + code);
        };
    }
}
