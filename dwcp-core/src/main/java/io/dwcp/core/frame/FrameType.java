package io.dwcp.core.frame;

import io.dwcp.core.DwcpException;

/** Frame types. Control types travel on the control connection, the rest on data streams. */
public enum FrameType {
    HELLO(1, true),
    WELCOME(2, true),
    OFFER(3, true),
    PLAN(4, true),
    FILE_END(5, true),
    FILE_DONE(6, true),
    BLOCK_NACK(7, true),
    COMMIT(8, true),
    DONE(9, true),
    ERROR(10, true),
    DELETED(11, true),
    REFINE(12, true),
    PAGE_DIGESTS(13, true),
    JOIN(16, false),
    JOIN_ACK(17, false),
    DATA(18, false);

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final boolean control;
    private final String wireName;

    FrameType(int code, boolean control) {
        this.code = code;
        this.control = control;
        this.wireName = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The name used in messages and logs ({@code file_end}), the same under every default locale. */
    public String wireName() {
        return wireName;
    }

    public int code() {
        return code;
    }

    public boolean isControl() {
        return control;
    }

    public static FrameType of(int code) throws DwcpException {
        FrameType t = (code >= 0 && code < 256) ? BY_CODE[code] : null;
        if (t == null) {
            throw DwcpException.protocol("frame=unknown reason=unknown-type type=" + code);
        }
        return t;
    }
}
