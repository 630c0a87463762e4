package io.dwcp.wireguard.tunnel;

import io.dwcp.wireguard.config.InterfaceConfig;
import io.dwcp.wireguard.config.IpPrefix;
import io.dwcp.wireguard.config.PeerConfig;
import io.dwcp.wireguard.device.Device;
import io.dwcp.wireguard.device.Peer;
import java.net.InetSocketAddress;

/** Applies a configuration file to a device (the file's peers are added; keys set). */
final class ConfigApplier {
    private ConfigApplier() {
    }

    static void apply(Device device, InterfaceConfig config) {
        device.privateKey(config.privateKey().toBytes());
        for (PeerConfig pc : config.peers()) {
            Peer peer = device.peer(pc.publicKey().toBytes());
            pc.presharedKey().ifPresent(k -> device.presharedKey(peer, k.toBytes()));
            pc.endpoint().ifPresent(e -> device.endpoint(peer, resolve(e)));
            for (IpPrefix p : pc.allowedIps()) {
                device.addAllowedIp(peer, p.address(), p.bits());
            }
            pc.persistentKeepalive().ifPresent(s -> device.persistentKeepalive(peer, s));
        }
    }

    private static InetSocketAddress resolve(InetSocketAddress e) {
        if (!e.isUnresolved()) {
            return e;
        }
        InetSocketAddress r = new InetSocketAddress(e.getHostString(), e.getPort());
        if (r.isUnresolved()) {
            throw new IllegalArgumentException("endpoint=" + e.getHostString() + ":" + e.getPort() + " reason=unresolvable");
        }
        return r;
    }
}
