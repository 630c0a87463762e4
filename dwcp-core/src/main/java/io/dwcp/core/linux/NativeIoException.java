package io.dwcp.core.linux;

import java.io.IOException;

/**
 * A system call failed with an errno the caller does not handle itself. The message is the project's
 * {@code key=value} form, {@code op=sendfile errno=EPIPE}, so logs and peers see the call and the cause.
 * Expected conditions ({@code EAGAIN}, {@code EINTR}) are handled where they occur and never become one.
 */
public class NativeIoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String op;
    private final int errno;

    public NativeIoException(String op, int errno) {
        this(op, errno, null);
    }

    /** @param detail extra {@code key=value} context (a path, an fd), or null */
    public NativeIoException(String op, int errno, String detail) {
        super("op=" + op + " errno=" + Errno.name(errno) + (detail == null ? "" : " " + detail));
        this.op = op;
        this.errno = errno;
    }

    /** The failing call, e.g. {@code sendfile}. */
    public String op() {
        return op;
    }

    /** The errno value, e.g. {@link Errno#EPIPE}. */
    public int errno() {
        return errno;
    }

    /** True for a peer that went away: reset, broken pipe, not connected. */
    public boolean isConnectionLost() {
        return errno == Errno.ECONNRESET || errno == Errno.EPIPE || errno == Errno.ENOTCONN;
    }
}
