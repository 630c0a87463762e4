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
        dwcp = Tunnel.up(dwcpIf, cfg, TunnelOptions.withOffload(offloads));
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
        // full-size packets both ways (1420-byte MTU: 1392 bytes of ICMP payload)
        NetTestEnv.Result big = NetTestEnv.exec(20, "ping", "-c", "3", "-i", "0.2", "-W", "3", "-s", "1392", "-M", "do",
                ns.tunnelAddress(2));
        assertTrue(big.output().contains("3 received"), () -> big.output() + dwcp.device().counters());
        out = ns.inNs("ping", "-c", "3", "-i", "0.2", "-W", "3", ns.tunnelAddress(1));
        assertTrue(out.contains("3 received"), out);
        Peer peer = dwcp.device().peers().getFirst();
        assertTrue(peer.lastHandshakeEpochNanos() > 0);
        assertEquals(0, dwcp.device().counters().forged());
        String show = wgo.wg("show", wgo.name);
        assertTrue(show.contains("latest handshake"), show);
        // wg against the DWCP peer's UAPI socket, exactly as against wireguard-go
        String ours = NetTestEnv.run("wg", "show", dwcpIf);
        assertTrue(ours.contains("peer: " + wgo.publicKey), ours);
        assertTrue(ours.contains("latest handshake"), ours);
        assertTrue(ours.matches("(?s).*transfer: [0-9.]+ [KMG]?i?B received, [0-9.]+ [KMG]?i?B sent.*"), ours);
        assertTrue(ours.contains("endpoint: " + ns.nsAddress + ":" + wgo.port), ours);
        // wg set against the DWCP peer changes it as it would wireguard-go
        NetTestEnv.run("wg", "set", dwcpIf, "peer", wgo.publicKey, "persistent-keepalive", "7", "allowed-ips",
                ns.tunnelAddress(2) + "/32," + ns.tunnelAddress(9) + "/32");
        String changed = NetTestEnv.run("wg", "show", dwcpIf);
        assertTrue(changed.contains("persistent keepalive: every 7 seconds"), changed);
        assertTrue(changed.contains(ns.tunnelAddress(9) + "/32"), changed);
        NetTestEnv.run("wg", "set", dwcpIf, "fwmark", "0x1234");
        String marked = NetTestEnv.run("wg", "show", dwcpIf);
        assertTrue(marked.contains("fwmark: 0x1234"), marked);
        out = NetTestEnv.run("ping", "-c", "2", "-i", "0.2", "-W", "3", ns.tunnelAddress(2));
        assertTrue(out.contains("2 received"), "marked datagrams still flow: " + out);
        String conf = NetTestEnv.run("wg", "showconf", dwcpIf);
        assertTrue(conf.contains("PersistentKeepalive = 7") && conf.contains("PrivateKey = "), conf);
        String dump = NetTestEnv.run("wg", "show", dwcpIf, "transfer");
        String[] f = dump.strip().split("\\s+");
        assertTrue(Long.parseLong(f[1]) > 0 && Long.parseLong(f[2]) > 0, dump);
    }

    @Test
    void streamFromWireguardGoWithOffloads() throws Exception {
        streamFromWireguardGo(true);
    }

    @Test
    void streamFromWireguardGoWithoutOffloads() throws Exception {
        streamFromWireguardGo(false);
    }

    private void streamFromWireguardGo(boolean offloads) throws Exception {
        startDwcp(offloads, true);
        // namespace -> here: a file through bash's /dev/tcp into a Java socket on the tunnel address, bytes compared
        byte[] data = new byte[8 << 20];
        new java.util.Random(7).nextBytes(data);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("wgstream", ".bin");
        java.nio.file.Files.write(file, data);
        try (java.net.ServerSocket server = new java.net.ServerSocket()) {
            server.bind(new java.net.InetSocketAddress(ns.tunnelAddress(1), 5298));
            server.setSoTimeout(20_000);
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    ns.execInNs(30, "bash", "-c", "cat " + file + " > /dev/tcp/" + ns.tunnelAddress(1) + "/5298");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] got;
            try (java.net.Socket s = server.accept()) {
                s.setSoTimeout(20_000);
                got = s.getInputStream().readAllBytes();
            }
            sender.join(5000);
            assertEquals(data.length, got.length, () -> dwcp.device().counters().toString());
            assertTrue(java.util.Arrays.equals(data, got));
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    void streamToWireguardGo() throws Exception {
        startDwcp(false, true);
        byte[] data = new byte[8 << 20];
        new java.util.Random(9).nextBytes(data);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("wgrecv", ".bin");
        try (java.net.ServerSocket server = new java.net.ServerSocket()) {
            server.bind(new java.net.InetSocketAddress(ns.tunnelAddress(1), 5297));
            server.setSoTimeout(20_000);
            Thread receiver = Thread.ofVirtual().start(() -> {
                try {
                    ns.execInNs(30, "bash", "-c", "cat < /dev/tcp/" + ns.tunnelAddress(1) + "/5297 > " + file);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (java.net.Socket s = server.accept()) {
                s.getOutputStream().write(data);
            }
            receiver.join(30_000);
            byte[] got = java.nio.file.Files.readAllBytes(file);
            assertEquals(data.length, got.length, () -> dwcp.device().counters().toString());
            assertTrue(java.util.Arrays.equals(data, got));
        } finally {
            java.nio.file.Files.delete(file);
        }
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
