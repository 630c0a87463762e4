package io.dwcp.zerocopy;

import java.io.EOFException;

/** The peer closed the stream inside a payload: {@code received} of {@code expected} bytes arrived (and were written). */
public class TruncatedPayloadException extends EOFException {
    private static final long serialVersionUID = 1L;

    private final long expected;
    private final long received;

    public TruncatedPayloadException(String op, long expected, long received) {
        super("op=" + op + " reason=truncated expected=" + expected + " received=" + received);
        this.expected = expected;
        this.received = received;
    }

    public long expected() {
        return expected;
    }

    public long received() {
        return received;
    }
}
