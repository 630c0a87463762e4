package io.dwcp.wireguard.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.wireguard.config.ConfigFile;
import io.dwcp.wireguard.config.InterfaceConfig;
import io.dwcp.wireguard.device.Peer;
import io.dwcp.wireguard.device.Timings;
import io.dwcp.wireguard.tunnel.Tunnel;
import io.dwcp.wireguard.tunnel.TunnelOptions;
import java.io.StringReader;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DWCP peer (this JVM, in the root namespace) against wireguard-go (in a namespace behind a veth pair): the
 * real protocol both ways. Needs root; installs wireguard-go and wg from Debian when missing.
 */
class WireguardGoInteropTest {
    private VethNamespace ns;
    private WireguardGoPeer wgo;
    private Tunnel dwcp;
    private String dwcpIf;

    @BeforeEach
    void setUp() throws Exception {
        NetTestEnv.assumeNetAdmin("wg", "wireguard-go", "ping");
        ns = new VethNamespace("i");
        dwcpIf = "dwi" + ProcessHandle.current().pid();
        wgo = new WireguardGoPeer(ns, "wgi" + ProcessHandle.current().pid(), 51000 + ns.n, ns.tunnelAddress(2));
    }

    private void startDwcp(boolean offloads, boolean withEndpoint) throws Exception {
        String priv = Base64.getEncoder().encodeToString(io.dwcp.wireguard.crypto.Keys.genkey());
        String conf = "[Interface]\nPrivateKey = " + priv + "\nListenPort = " + (52000 + ns.n) + "\nAddress = "
                + ns.tunnelAddress(1) + "/24\n\n[Peer]\nPublicKey = " + wgo.publicKey + "\nAllowedIPs = "
                + ns.tunnelAddress(2) + "/32\n" + (withEndpoint ? "Endpoint = " + ns.nsAddress + ":" + wgo.port + "\n" : "");
        InterfaceConfig cfg = ConfigFile.parse(new StringReader(conf), "test.conf");
        dwcp = Tunnel.up(dwcpIf, cfg, new TunnelOptions(Timings.STANDARD, offloads, true));
        String dwcpPub = Base64.getEncoder().encodeToString(dwcp.device().publicKey());
        wgo.wg("set", wgo.name, "peer", dwcpPub, "allowed-ips", ns.tunnelAddress(1) + "/32", "endpoint",
                ns.hostAddress + ":" + dwcp.device().listenPort());
    }

    @AfterEach
    void tearDown() {
        if (dwcp != null) {
            dwcp.close();
        }
        if (wgo != null) {
            wgo.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void dwcpInitiatesAndPingsBothWays() throws Exception {
        startDwcp(false, true);
        String out = NetTestEnv.run("ping", "-c", "3", "-i", "0.2", "-W", "3", ns.tunnelAddress(2));
        assertTrue(out.contains("3 received"), out);
        out = ns.inNs("ping", "-c", "3", "-i", "0.2", "-W", "3", ns.tunnelAddress(1));
        assertTrue(out.contains("3 received"), out);
        Peer peer = dwcp.device().peers().getFirst();
        assertTrue(peer.lastHandshakeEpochNanos() > 0);
        assertEquals(0, dwcp.device().counters().forged());
        String show = wgo.wg("show", wgo.name);
        assertTrue(show.contains("latest handshake"), show);
    }

    @Test
    void wireguardGoInitiates() throws Exception {
        startDwcp(false, false);
        String out = ns.inNs("ping", "-c", "3", "-i", "0.2", "-W", "3", ns.tunnelAddress(1));
        assertTrue(out.contains("3 received"), out);
        out = NetTestEnv.run("ping", "-c", "2", "-i", "0.2", "-W", "3", ns.tunnelAddress(2));
        assertTrue(out.contains("2 received"), out);
    }
}
