package io.dwcp.server;

import io.dwcp.wireguard.device.Peer;
import io.dwcp.wireguard.tunnel.Tunnel;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.Optional;

/**
 * The identities of {@code serve --tunnel}: a connection's source address names the WireGuard peer whose allowed IPs
 * cover it (cryptokey routing: only that peer's keys can have sent it), and the peer's public key names its root,
 * {@code ROOT/<public key, base64url>}.
 */
public final class TunnelPeers implements PeerIdentities {
    private final Tunnel tunnel;

    public TunnelPeers(Tunnel tunnel) {
        this.tunnel = tunnel;
    }

    @Override
    public Optional<String> identify(InetSocketAddress remote) {
        Peer peer = tunnel.peerFor(remote);
        return peer == null ? Optional.empty() : Optional.of(directoryName(peer.publicKey()));
    }

    /** A public key as one path element: base64url without padding (43 characters, no '/'). */
    public static String directoryName(byte[] publicKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(publicKey);
    }

    @Override
    public String describe() {
        return "wireguard(tunnel=" + tunnel.interfaceName() + " peers=" + tunnel.device().peers().size()
                + " root-per-peer)";
    }
}
