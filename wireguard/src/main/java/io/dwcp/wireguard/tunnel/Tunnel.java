package io.dwcp.wireguard.tunnel;

import io.dwcp.core.Log;
import io.dwcp.wireguard.config.InterfaceConfig;
import io.dwcp.wireguard.config.IpPrefix;
import io.dwcp.wireguard.config.PeerConfig;
import io.dwcp.wireguard.device.Device;
import io.dwcp.wireguard.device.Peer;
import io.dwcp.wireguard.device.Timings;
import io.dwcp.wireguard.net.TunDevice;
import io.dwcp.wireguard.net.UdpTransport;
import io.dwcp.wireguard.uapi.ConfigChanges;
import io.dwcp.wireguard.uapi.UapiException;
import io.dwcp.wireguard.uapi.UapiServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A running tunnel: the TUN interface configured as wg-quick would (addresses, MTU, routes), the device behind it,
 * and the UAPI socket {@code wg} talks to. {@link #close()} takes all of it down.
 */
public final class Tunnel implements AutoCloseable {
    private static final Log LOG = Log.of("wireguard");
    /** wg-quick's default: 1500 minus the largest WireGuard overhead (IPv6 outer header). */
    public static final int DEFAULT_MTU = 1420;

    private final Device device;
    private final InterfaceConfig config;
    private final AutoCloseable uapi;

    private Tunnel(Device device, InterfaceConfig config, AutoCloseable uapi) {
        this.device = device;
        this.config = config;
        this.uapi = uapi;
    }

    /**
     * Brings up interface {@code name} from {@code config}.
     *
     * @throws TunnelException with a message that says what to do (no CAP_NET_ADMIN, port in use, no ip command)
     */
    public static Tunnel up(String name, InterfaceConfig config, TunnelOptions options) throws TunnelException {
        int mtu = config.mtu().orElse(DEFAULT_MTU);
        TunDevice tun = NetPlatform.openTun(name, options.offload() != TunnelOptions.Offload.OFF);
        UdpTransport udp;
        try {
            udp = NetPlatform.openUdp(config.listenPort().orElse(0));
        } catch (TunnelException e) {
            tun.close();
            throw e;
        }
        Device device = new Device(tun, udp, mtu, options.timings(),
                options.offload().compareTo(TunnelOptions.Offload.COALESCE) >= 0,
                options.offload() == TunnelOptions.Offload.FULL,
                options.cryptoWorkers() >= 0 ? options.cryptoWorkers() : Device.defaultCryptoWorkers());
        AutoCloseable uapi = null;
        try {
            DeviceUapi control = new DeviceUapi(device);
            control.apply(ConfigChanges.fromConfig(config));
            device.start();
            String dev = tun.name();
            for (IpPrefix a : config.addresses()) {
                LinkCommands.addAddress(dev, a);
            }
            LinkCommands.up(dev, mtu);
            List<IpPrefix> allowed = new ArrayList<>();
            for (PeerConfig p : config.peers()) {
                allowed.addAll(p.allowedIps());
            }
            LinkCommands.routes(dev, config.addresses(), allowed);
            if (options.uapi()) {
                uapi = UapiServer.start(dev, control);
            }
            LOG.info("tunnel=" + dev + " up addresses=" + config.addresses() + " peers=" + config.peers().size()
                    + " listen_port=" + device.listenPort());
            return new Tunnel(device, config, uapi);
        } catch (IOException | UapiException | RuntimeException e) {
            device.close();
            throw new TunnelException("tunnel=" + name + " reason=" + e.getMessage(), e);
        }
    }

    public Device device() {
        return device;
    }

    public String interfaceName() {
        return device.interfaceName();
    }

    /** The first address of the interface (what {@code serve --tunnel} listens on). */
    public InetAddress address() {
        try {
            return InetAddress.getByAddress(config.addresses().getFirst().address());
        } catch (IOException | java.util.NoSuchElementException e) {
            throw new IllegalStateException("tunnel=" + interfaceName() + " reason=no-address", e);
        }
    }

    /** The peer whose allowed IPs cover the connection's source address, or null: the identity of a tunnel client. */
    public Peer peerFor(InetSocketAddress source) {
        return device.peerForAddress(source.getAddress().getAddress());
    }

    @Override
    public void close() {
        if (uapi != null) {
            try {
                uapi.close();
            } catch (Exception e) {
                LOG.warn("tunnel=" + interfaceName() + " uapi close failed error=" + e);
            }
        }
        device.close();
    }
}
