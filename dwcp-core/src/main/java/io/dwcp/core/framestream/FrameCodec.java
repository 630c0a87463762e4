package io.dwcp.core.framestream;

import io.dwcp.core.DwcpException;

/**
 * How a frame's bytes travel ({@link FrameDeltaDescriptor}: codec field). The numbers are those of the DATA
 * frame's codecs ({@link io.dwcp.core.frame.Codec}) where the meaning is the same; 1 (LZ4 of a whole frame) is
 * not used, since a whole frame that compresses goes as XOR_LZ4 against zeros.
 */
public enum FrameCodec {
    /** The frame's bytes as they are. */
    RAW(0),
    /** A page-map payload ({@link io.dwcp.core.frame.PageMapDescriptor}): the map, then each set page's XOR. */
    XOR(2),
    /** One LZ4 block of that page-map payload. */
    XOR_LZ4(3),
    /** The end of the stream: every other header field is zero, nothing follows. */
    END(255);

    private final int code;

    FrameCodec(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public boolean isXor() {
        return this == XOR || this == XOR_LZ4;
    }

    public static FrameCodec of(int code) throws DwcpException {
        return switch (code) {
            case 0 -> RAW;
            case 2 -> XOR;
            case 3 -> XOR_LZ4;
            case 255 -> END;
            default -> throw DwcpException.protocol("frame=frame-delta reason=unknown-codec codec=" + code);
        };
    }
}
