package io.dwcp.core;

import java.io.IOException;

/**
 * A failure with a protocol-level error class. Messages are lower-case {@code key=value} pairs so that logs
 * and the peer's {@code ERROR} frame say exactly what was wrong, e.g. {@code frame=data reason=bad-crc file=3}.
 */
public class DwcpException extends IOException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public DwcpException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public DwcpException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static DwcpException protocol(String message) {
        return new DwcpException(ErrorCode.PROTOCOL, message);
    }
}
