package io.dwcp.wireguard.tunnel;

import io.dwcp.wireguard.device.Timings;

/**
 * How a tunnel runs.
 *
 * @param timings the protocol timers ({@link Timings#STANDARD} but in tests)
 * @param offload which TUN offloads to use
 * @param uapi    serve the UAPI socket so {@code wg} can show and set the device
 * @param cryptoWorkers threads per direction that help seal and open each batch; negative: the host's default
 *                (none below 4 CPUs, where the send and receive threads already fill them)
 */
public record TunnelOptions(Timings timings, Offload offload, boolean uapi, int cryptoWorkers) {
    /** Standard timers, every offload, UAPI on, the default crypto workers. */
    public static final TunnelOptions DEFAULT = new TunnelOptions(Timings.STANDARD, Offload.FULL, true, -1);

    /** TUN offloads, each step on top of the previous one (so each can be measured). */
    public enum Offload {
        /** One packet per TUN read and write. */
        OFF,
        /** virtio-net headers and TSO: the send path reads super-packets and segments them itself. */
        TSO,
        /** TSO, and the receive path coalesces TCP segments into GSO super-packets for the TUN device. */
        COALESCE,
        /** All of the above, and the send path hands runs of datagrams to the kernel as UDP GSO super-datagrams. */
        FULL;

        /** Parses {@code off}, {@code tso}, {@code coalesce} or {@code full}. */
        public static Offload parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "off" -> OFF;
                case "tso" -> TSO;
                case "coalesce" -> COALESCE;
                case "full" -> FULL;
                default -> throw new IllegalArgumentException("offload=" + s + " expected off, tso, coalesce or full");
            };
        }
    }

    /** Standard timers and UAPI with the given offloads (tests). */
    public static TunnelOptions withOffload(boolean on) {
        return new TunnelOptions(Timings.STANDARD, on ? Offload.FULL : Offload.OFF, true, -1);
    }
}
