package io.dwcp.wireguard.uapi;

import io.dwcp.wireguard.config.IpPrefix;
import io.dwcp.wireguard.config.WgKey;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test fixture device: configuration in memory, applied with the semantics {@link PeerChange} documents, so the
 * protocol can be exercised end to end (the real device is not under test here). Records every change it gets.
 */
final class MemoryDevice implements UapiDevice {
    static final class Peer {
        WgKey presharedKey = WgKey.zero();
        InetSocketAddress endpoint;
        int keepalive;
        long rx;
        long tx;
        long handshakeSeconds;
        int handshakeNanos;
        final Set<IpPrefix> allowed = new LinkedHashSet<>();
    }

    final List<ConfigChange> applied = new CopyOnWriteArrayList<>();
    private WgKey privateKey;
    private int listenPort;
    private long fwMark;
    final Map<WgKey, Peer> peers = new LinkedHashMap<>();
    /** When set, apply fails with this errno after recording the change. */
    volatile int failWith;

    @Override
    public synchronized DeviceSnapshot snapshot() {
        List<PeerSnapshot> out = new ArrayList<>();
        peers.forEach((k, p) -> out.add(new PeerSnapshot(k, p.presharedKey, Optional.ofNullable(p.endpoint),
                p.handshakeSeconds, p.handshakeNanos, p.rx, p.tx, p.keepalive, List.copyOf(p.allowed))));
        return new DeviceSnapshot(Optional.ofNullable(privateKey), listenPort, fwMark, out);
    }

    @Override
    public synchronized void apply(ConfigChange change) throws UapiException {
        applied.add(change);
        if (failWith != 0) {
            throw new UapiException(failWith, "error=configured to fail");
        }
        change.privateKey().ifPresent(k -> privateKey = k.isZero() ? null : k);
        change.listenPort().ifPresent(p -> listenPort = p);
        change.fwMark().ifPresent(m -> fwMark = m);
        if (change.replacePeers()) {
            peers.clear();
        }
        for (PeerChange pc : change.peers()) {
            Peer p = peers.get(pc.publicKey());
            if (pc.remove()) {
                peers.remove(pc.publicKey());
                continue;
            }
            if (p == null) {
                if (pc.updateOnly()) {
                    continue;
                }
                p = new Peer();
                peers.put(pc.publicKey(), p);
            }
            Peer peer = p;
            pc.presharedKey().ifPresent(k -> peer.presharedKey = k);
            pc.endpoint().ifPresent(e -> peer.endpoint = e);
            pc.persistentKeepalive().ifPresent(s -> peer.keepalive = s);
            if (pc.replaceAllowedIps()) {
                peer.allowed.clear();
            }
            for (AllowedIpChange a : pc.allowedIps()) {
                if (a.remove()) {
                    peer.allowed.remove(a.prefix());
                } else {
                    peer.allowed.add(a.prefix());
                }
            }
        }
    }

    synchronized Peer peer(WgKey key) {
        return peers.get(key);
    }
}
