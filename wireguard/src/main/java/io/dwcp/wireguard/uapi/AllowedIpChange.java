package io.dwcp.wireguard.uapi;

import io.dwcp.wireguard.config.IpPrefix;
import java.util.Objects;

/**
 * One {@code allowed_ip=} line: add the prefix to the peer, or with a leading '-' remove it.
 *
 * @param prefix the prefix with host bits cleared
 * @param remove whether to remove instead of add
 */
public record AllowedIpChange(IpPrefix prefix, boolean remove) {
    /** Requires a prefix. */
    public AllowedIpChange {
        Objects.requireNonNull(prefix, "prefix");
    }
}
