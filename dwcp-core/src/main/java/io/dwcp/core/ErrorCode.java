package io.dwcp.core;

/** Error classes carried in {@code ERROR} messages and mapped to CLI exit codes. */
public enum ErrorCode {
    PROTOCOL(1),
    AUTH(2),
    PATH(3),
    LIMIT(4),
    IO(5),
    VERIFY(6),
    INTERNAL(7);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return INTERNAL;
    }
}
