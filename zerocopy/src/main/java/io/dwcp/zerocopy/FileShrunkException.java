package io.dwcp.zerocopy;

import java.io.IOException;

/** A source file ended before the range being sent: it shrank after it was offered. */
public class FileShrunkException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    /** @param offset the file offset at which the file ended */
    public FileShrunkException(String op, long offset, long expectedEnd) {
        super("op=" + op + " reason=file-shrunk eof_at=" + offset + " expected_end=" + expectedEnd);
        this.offset = offset;
    }

    public long offset() {
        return offset;
    }
}
