package io.dwcp.wireguard.config;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One {@code [Peer]} section.
 *
 * @param publicKey the peer's static public key
 * @param presharedKey the optional preshared key (never printed: see {@link WgKey#toString()})
 * @param allowedIps allowed IPs with host bits cleared, in file order
 * @param endpoint an IP literal endpoint is resolved ({@code getAddress() != null}); a hostname is kept unresolved
 *     ({@link InetSocketAddress#isUnresolved()}) so parsing never does DNS: whoever applies the file resolves it
 * @param persistentKeepalive seconds, 0 meaning off; empty when the file does not say
 */
public record PeerConfig(WgKey publicKey, Optional<WgKey> presharedKey, List<IpPrefix> allowedIps,
                         Optional<InetSocketAddress> endpoint, OptionalInt persistentKeepalive) {
    /** Copies the list so the record stays immutable. */
    public PeerConfig {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(presharedKey, "presharedKey");
        allowedIps = List.copyOf(allowedIps);
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(persistentKeepalive, "persistentKeepalive");
    }
}
