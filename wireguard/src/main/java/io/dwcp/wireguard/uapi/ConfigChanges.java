package io.dwcp.wireguard.uapi;

import io.dwcp.wireguard.config.InterfaceConfig;
import io.dwcp.wireguard.config.PeerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Turns a configuration file into the {@link ConfigChange} {@code wg setconf} would send for it, so a file and a
 * {@code wg set} reach the device through one path: replace all peers, set private key, listen port (0 when the
 * file has none) and fwmark (0 when none), and per peer replace its allowed IPs. wg-quick-only keys are not part
 * of a change.
 */
public final class ConfigChanges {
    /** Resolves the hostname of an unresolved endpoint; may block. */
    @FunctionalInterface
    public interface Resolver {
        /** The address for {@code host}. */
        InetAddress resolve(String host) throws UnknownHostException;
    }

    private ConfigChanges() {
    }

    /** {@link #fromConfig(InterfaceConfig, Resolver)} with the system resolver. */
    public static ConfigChange fromConfig(InterfaceConfig config) throws UnknownHostException {
        return fromConfig(config, InetAddress::getByName);
    }

    /**
     * The change equivalent to {@code wg setconf} of {@code config}. Hostname endpoints are resolved here, once,
     * as wg does when it reads a file.
     *
     * @throws UnknownHostException naming the peer's public key and the endpoint that did not resolve
     */
    public static ConfigChange fromConfig(InterfaceConfig config, Resolver resolver) throws UnknownHostException {
        List<PeerChange> peers = new ArrayList<>(config.peers().size());
        for (PeerConfig peer : config.peers()) {
            List<AllowedIpChange> ips = peer.allowedIps().stream().map(p -> new AllowedIpChange(p, false)).toList();
            Optional<InetSocketAddress> endpoint = Optional.empty();
            if (peer.endpoint().isPresent()) {
                endpoint = Optional.of(resolve(peer, peer.endpoint().get(), resolver));
            }
            peers.add(new PeerChange(peer.publicKey(), false, false, peer.presharedKey(), endpoint,
                    peer.persistentKeepalive(), true, ips));
        }
        return new ConfigChange(Optional.of(config.privateKey()), OptionalInt.of(config.listenPort().orElse(0)),
                OptionalLong.of(config.fwMark().orElse(0)), true, peers);
    }

    private static InetSocketAddress resolve(PeerConfig peer, InetSocketAddress endpoint, Resolver resolver)
            throws UnknownHostException {
        if (!endpoint.isUnresolved()) {
            return endpoint;
        }
        try {
            return new InetSocketAddress(resolver.resolve(endpoint.getHostString()), endpoint.getPort());
        } catch (UnknownHostException e) {
            UnknownHostException wrapped = new UnknownHostException("peer=" + peer.publicKey().toBase64()
                    + " endpoint=" + endpoint.getHostString() + ":" + endpoint.getPort() + " error=cannot resolve");
            wrapped.initCause(e);
            throw wrapped;
        }
    }
}
