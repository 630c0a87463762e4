package io.dwcp.wireguard.uapi;

import io.dwcp.wireguard.config.IpPrefix;
import io.dwcp.wireguard.config.WgKey;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One peer as {@code get=1} reports it.
 *
 * @param publicKey the peer's public key
 * @param presharedKey the preshared key, {@link WgKey#zero()} when none (reported as zeros, as wireguard-go does)
 * @param endpoint the current endpoint; must be resolved
 * @param lastHandshakeSeconds seconds since the epoch of the last completed handshake, 0 for never
 * @param lastHandshakeNanos the nanoseconds part, 0..999999999
 * @param rxBytes bytes received, as an unsigned 64-bit counter
 * @param txBytes bytes sent, as an unsigned 64-bit counter
 * @param persistentKeepalive seconds, 0 for off
 * @param allowedIps allowed IPs with host bits cleared
 */
public record PeerSnapshot(WgKey publicKey, WgKey presharedKey, Optional<InetSocketAddress> endpoint,
                           long lastHandshakeSeconds, int lastHandshakeNanos, long rxBytes, long txBytes,
                           int persistentKeepalive, List<IpPrefix> allowedIps) {
    /** Validates ranges and copies the list. */
    public PeerSnapshot {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(presharedKey, "presharedKey");
        Objects.requireNonNull(endpoint, "endpoint");
        if (endpoint.isPresent() && endpoint.get().isUnresolved()) {
            throw new IllegalArgumentException("error=snapshot endpoint must be resolved");
        }
        if (lastHandshakeSeconds < 0 || lastHandshakeNanos < 0 || lastHandshakeNanos > 999_999_999) {
            throw new IllegalArgumentException("error=invalid handshake time");
        }
        if (persistentKeepalive < 0 || persistentKeepalive > 65535) {
            throw new IllegalArgumentException("error=invalid persistent keepalive " + persistentKeepalive);
        }
        allowedIps = List.copyOf(allowedIps);
    }
}
