package io.dwcp.wireguard.tunnel;

import io.dwcp.wireguard.device.Timings;

/**
 * How a tunnel runs.
 *
 * @param timings  the protocol timers ({@link Timings#STANDARD} but in tests)
 * @param offloads open the TUN device with virtio-net headers and TSO/checksum offloads
 * @param uapi     serve the UAPI socket so {@code wg} can show and set the device
 */
public record TunnelOptions(Timings timings, boolean offloads, boolean uapi) {
    /** Standard timers, offloads on, UAPI on. */
    public static final TunnelOptions DEFAULT = new TunnelOptions(Timings.STANDARD, true, true);
}
