package io.dwcp.wireguard.config;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A whole configuration file: the {@code [Interface]} section and its peers. {@code toString()} is safe to log:
 * keys print as {@code (hidden)}.
 *
 * @param privateKey the interface's private key (required)
 * @param listenPort UDP port, 0 meaning "pick one"; empty when the file does not say
 * @param fwMark 32-bit firewall mark, 0 meaning off; empty when the file does not say
 * @param addresses {@code Address} entries as written (host bits kept: {@code 10.0.0.1/24} is an address)
 * @param mtu {@code MTU}; empty when the file does not say
 * @param quick the other wg-quick-only keys, kept but not acted on
 * @param peers peers in file order, each public key at most once
 */
public record InterfaceConfig(WgKey privateKey, OptionalInt listenPort, OptionalLong fwMark, List<IpPrefix> addresses,
                             OptionalInt mtu, WgQuickOptions quick, List<PeerConfig> peers) {
    /** Copies the lists so the record stays immutable. */
    public InterfaceConfig {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(listenPort, "listenPort");
        Objects.requireNonNull(fwMark, "fwMark");
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(mtu, "mtu");
        Objects.requireNonNull(quick, "quick");
        peers = List.copyOf(peers);
    }
}
