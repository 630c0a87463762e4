package io.dwcp.wireguard.uapi;

import io.dwcp.wireguard.config.WgKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The device state {@code get=1} reports. Safe to log: keys print as {@code (hidden)}.
 *
 * @param privateKey the private key, empty when none is set
 * @param listenPort the bound UDP port, 0 when not listening (then omitted, as wireguard-go does)
 * @param fwMark the unsigned 32-bit fwmark, 0 for off (then omitted)
 * @param peers the peers, in the order to report them
 */
public record DeviceSnapshot(Optional<WgKey> privateKey, int listenPort, long fwMark, List<PeerSnapshot> peers) {
    /** Validates ranges and copies the list. */
    public DeviceSnapshot {
        Objects.requireNonNull(privateKey, "privateKey");
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("error=invalid listen port " + listenPort);
        }
        if (fwMark < 0 || fwMark > 0xffffffffL) {
            throw new IllegalArgumentException("error=invalid fwmark " + fwMark);
        }
        peers = List.copyOf(peers);
    }
}
