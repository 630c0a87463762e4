package io.dwcp.wireguard.tunnel;

import io.dwcp.wireguard.config.IpPrefix;
import io.dwcp.wireguard.config.WgKey;
import io.dwcp.wireguard.device.AllowedIps;
import io.dwcp.wireguard.device.Device;
import io.dwcp.wireguard.device.Peer;
import io.dwcp.wireguard.uapi.AllowedIpChange;
import io.dwcp.wireguard.uapi.ConfigChange;
import io.dwcp.wireguard.uapi.DeviceSnapshot;
import io.dwcp.wireguard.uapi.PeerChange;
import io.dwcp.wireguard.uapi.PeerSnapshot;
import io.dwcp.wireguard.uapi.UapiDevice;
import io.dwcp.wireguard.uapi.UapiException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The device as the UAPI sees it: {@code get=1} snapshots and {@code set=1} transactions; a configuration file is
 * applied through the same {@link #apply} (converted by {@code ConfigChanges}), so a file and {@code wg set} cannot
 * mean different things.
 */
final class DeviceUapi implements UapiDevice {
    private final Device device;

    DeviceUapi(Device device) {
        this.device = device;
    }

    @Override
    public DeviceSnapshot snapshot() {
        byte[] priv = device.privateKey();
        List<PeerSnapshot> peers = new ArrayList<>();
        for (Peer p : device.peers()) {
            List<IpPrefix> allowed = new ArrayList<>();
            for (AllowedIps.Entry<Peer> e : device.allowedIps(p)) {
                allowed.add(IpPrefix.of(e.address(), e.prefixLength()));
            }
            long hs = p.lastHandshakeEpochNanos();
            peers.add(new PeerSnapshot(WgKey.of(p.publicKey()), WgKey.of(device.presharedKey(p)),
                    Optional.ofNullable(p.endpoint()), hs / 1_000_000_000L, (int) (hs % 1_000_000_000L), p.rxBytes(),
                    p.txBytes(), device.persistentKeepalive(p), allowed));
        }
        return new DeviceSnapshot(priv == null ? Optional.empty() : Optional.of(WgKey.of(priv)), device.listenPort(),
                Integer.toUnsignedLong(device.fwMark()), peers);
    }

    @Override
    public void apply(ConfigChange change) throws UapiException {
        if (change.listenPort().isPresent() && change.listenPort().getAsInt() != 0
                && change.listenPort().getAsInt() != device.listenPort()) {
            // the socket is bound once, at start: moving it is not supported (wireguard-go rebinds)
            throw new UapiException(UapiException.EADDRINUSE, "listen_port=" + change.listenPort().getAsInt()
                    + " reason=cannot-rebind current=" + device.listenPort());
        }
        if (change.fwMark().isPresent()) {
            try {
                device.fwMark((int) change.fwMark().getAsLong());
            } catch (java.io.IOException e) {
                throw new UapiException(UapiException.EINVAL, "fwmark=" + change.fwMark().getAsLong() + " reason="
                        + e.getMessage());
            }
        }
        change.privateKey().ifPresent(k -> device.privateKey(k.isZero() ? null : k.toBytes()));
        if (change.replacePeers()) {
            device.peers().forEach(device::removePeer);
        }
        byte[] self = device.publicKey();
        for (PeerChange pc : change.peers()) {
            byte[] key = pc.publicKey().toBytes();
            if (self != null && Arrays.equals(self, key)) {
                continue;
            }
            Peer peer = device.findPeer(key);
            if (pc.remove()) {
                if (peer != null) {
                    device.removePeer(peer);
                }
                continue;
            }
            if (peer == null) {
                if (pc.updateOnly()) {
                    continue;
                }
                peer = device.peer(key);
            }
            Peer p = peer;
            pc.presharedKey().ifPresent(k -> device.presharedKey(p, k.isZero() ? null : k.toBytes()));
            pc.endpoint().ifPresent(e -> device.endpoint(p, e));
            if (pc.replaceAllowedIps()) {
                device.clearAllowedIps(p);
            }
            for (AllowedIpChange a : pc.allowedIps()) {
                if (a.remove()) {
                    device.removeAllowedIp(p, a.prefix().address(), a.prefix().bits());
                } else {
                    device.addAllowedIp(p, a.prefix().address(), a.prefix().bits());
                }
            }
            pc.persistentKeepalive().ifPresent(s -> device.persistentKeepalive(p, s));
        }
    }
}
