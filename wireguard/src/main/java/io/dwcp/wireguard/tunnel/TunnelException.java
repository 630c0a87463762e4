package io.dwcp.wireguard.tunnel;

/** A tunnel could not come up; the message says why and what to do. */
public final class TunnelException extends Exception {
    public TunnelException(String message) {
        super(message);
    }

    public TunnelException(String message, Throwable cause) {
        super(message, cause);
    }
}
