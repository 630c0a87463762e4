package io.dwcp.wireguard.tunnel;

import io.dwcp.core.Log;
import io.dwcp.wireguard.linux.NetPaths;
import io.dwcp.wireguard.net.TunDevice;
import io.dwcp.wireguard.net.UdpTransport;
import java.io.IOException;

/** Opens what a tunnel runs on, turning failures into messages that say what to do. */
final class NetPlatform {
    private static final Log LOG = Log.of("wireguard");
    /** Socket buffers: a few milliseconds of a multi-gigabit stream, so bursts between batches are not dropped. */
    static final int SOCKET_BUFFER_BYTES = 8 << 20;

    private NetPlatform() {
    }

    static TunDevice openTun(String name, boolean offloads) throws TunnelException {
        try {
            return NetPaths.openTun(name, offloads);
        } catch (IOException e) {
            String m = e.getMessage();
            if (m != null && m.contains("needs-CAP_NET_ADMIN")) {
                throw new TunnelException(m + ": creating a TUN device needs CAP_NET_ADMIN; run as root (sudo dwcp ...) "
                        + "or grant the capability to the java binary (setcap cap_net_admin+ep)", e);
            }
            throw new TunnelException(m == null ? e.toString() : m, e);
        }
    }

    static UdpTransport openUdp(int port) throws TunnelException {
        NetPaths paths = NetPaths.get();
        LOG.info("wireguard " + paths.describe());
        try {
            return paths.openUdp(port, SOCKET_BUFFER_BYTES);
        } catch (IOException e) {
            throw new TunnelException("udp=unavailable port=" + port + " reason=" + e.getMessage()
                    + (port != 0 ? " (is ListenPort in use by another tunnel?)" : ""), e);
        }
    }
}
