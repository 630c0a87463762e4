package io.dwcp.wireguard.uapi;

import io.dwcp.wireguard.config.WgKey;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The lines of a {@code set=1} transaction about one peer, from its {@code public_key=} line to the next. Applied
 * in this order, as wireguard-go does: create the peer unless it exists or {@code updateOnly}; if {@code remove},
 * remove it and ignore everything else; set the preshared key, endpoint and keepalive when present; if
 * {@code replaceAllowedIps}, drop the peer's allowed IPs; then apply {@code allowedIps} in order. A peer whose key
 * equals the device's own public key is ignored entirely (wireguard-go does the same).
 *
 * @param publicKey the peer
 * @param remove {@code remove=true}
 * @param updateOnly {@code update_only=true}: change the peer only if it already exists
 * @param presharedKey {@code preshared_key}, {@link WgKey#zero()} meaning remove it
 * @param endpoint {@code endpoint}, always a resolved IP address
 * @param persistentKeepalive {@code persistent_keepalive_interval}, 0 meaning off
 * @param replaceAllowedIps {@code replace_allowed_ips=true}; additions listed before it in the same peer block are
 *     already dropped from {@code allowedIps}, since the replace would have removed them
 * @param allowedIps additions and removals in order
 */
public record PeerChange(WgKey publicKey, boolean remove, boolean updateOnly, Optional<WgKey> presharedKey,
                         Optional<InetSocketAddress> endpoint, OptionalInt persistentKeepalive,
                         boolean replaceAllowedIps, List<AllowedIpChange> allowedIps) {
    /** Validates and copies the list. */
    public PeerChange {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(presharedKey, "presharedKey");
        Objects.requireNonNull(endpoint, "endpoint");
        if (endpoint.isPresent() && endpoint.get().isUnresolved()) {
            throw new IllegalArgumentException("error=peer change endpoint must be resolved");
        }
        Objects.requireNonNull(persistentKeepalive, "persistentKeepalive");
        allowedIps = List.copyOf(allowedIps);
    }
}
