package io.dwcp.wireguard.uapi;

import io.dwcp.wireguard.config.WgKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A parsed {@code set=1} transaction (or a configuration file converted by {@link ConfigChanges}). Empty fields
 * leave the device's value alone. Device fields apply first, then {@code replacePeers}, then the peers in order.
 * Safe to log: keys print as {@code (hidden)}.
 *
 * @param privateKey {@code private_key}; {@link WgKey#zero()} removes the key (the device then has no identity)
 * @param listenPort {@code listen_port}, 0 meaning any free port
 * @param fwMark {@code fwmark}, unsigned 32-bit, 0 meaning off
 * @param replacePeers {@code replace_peers=true}: remove every peer before applying {@code peers}
 * @param peers peer blocks in order; one public key may appear in several
 */
public record ConfigChange(Optional<WgKey> privateKey, OptionalInt listenPort, OptionalLong fwMark,
                           boolean replacePeers, List<PeerChange> peers) {
    /** Validates ranges and copies the list. */
    public ConfigChange {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(listenPort, "listenPort");
        if (listenPort.isPresent() && (listenPort.getAsInt() < 0 || listenPort.getAsInt() > 65535)) {
            throw new IllegalArgumentException("error=invalid listen port " + listenPort.getAsInt());
        }
        Objects.requireNonNull(fwMark, "fwMark");
        if (fwMark.isPresent() && (fwMark.getAsLong() < 0 || fwMark.getAsLong() > 0xffffffffL)) {
            throw new IllegalArgumentException("error=invalid fwmark " + fwMark.getAsLong());
        }
        peers = List.copyOf(peers);
    }
}
