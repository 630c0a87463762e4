package io.dwcp.wireguard.uapi;

/**
 * A failed UAPI operation carrying the Linux errno the client sees. The wire carries it negated
 * ({@code errno=-22}), as wireguard-go writes it and {@code wg} expects. Messages never contain key material.
 */
public final class UapiException extends Exception {
    /** I/O failure, also an over-long line or request (wireguard-go's scanner error maps here). */
    public static final int EIO = 5;
    /** An invalid value or unknown key. */
    public static final int EINVAL = 22;
    /** Unknown failure inside the device (wireguard-go's IpcErrorUnknown). */
    public static final int ENOANO = 55;
    /** A line that is not {@code key=value}. */
    public static final int EPROTO = 71;
    /** The listen port or fwmark could not be applied to the socket. */
    public static final int EADDRINUSE = 98;

    private final int errno;

    /**
     * @param errno positive errno value, one of the constants here
     * @param message lower-case {@code key=value} description without secrets
     */
    public UapiException(int errno, String message) {
        super(message);
        if (errno <= 0) {
            throw new IllegalArgumentException("errno=" + errno + " error=errno must be positive");
        }
        this.errno = errno;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }
}
