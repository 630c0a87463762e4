package io.dwcp.wireguard.uapi;

/**
 * What the UAPI socket needs from a device. {@link UapiServer} serialises calls: {@link #apply} never runs
 * concurrently with another {@code apply} or with {@link #snapshot}; snapshots may run concurrently with each
 * other. Neither is called on the device's data path threads.
 */
public interface UapiDevice {
    /** The current configuration and counters, for {@code get=1}. */
    DeviceSnapshot snapshot();

    /**
     * Applies one {@code set=1} transaction (semantics on {@link ConfigChange} and {@link PeerChange}). Should be
     * all or nothing; wireguard-go applies line by line, so clients cannot rely on either.
     *
     * @throws UapiException with {@link UapiException#EINVAL} for a value the device cannot take, or
     *     {@link UapiException#EADDRINUSE} when the listen port or fwmark cannot be applied to the socket
     */
    void apply(ConfigChange change) throws UapiException;
}
