package io.dwcp.wireguard.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.wireguard.config.ConfigFile;
import io.dwcp.wireguard.config.IpPrefix;
import io.dwcp.wireguard.config.InterfaceConfig;
import io.dwcp.wireguard.config.WgKey;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@code wg} tool against {@link UapiServer} at /var/run/wireguard; needs wg installed and root. */
class WgToolTest {
    static final Path WG = Path.of("/usr/bin/wg");
    static final String NAME = "dwcpt" + ProcessHandle.current().pid();
    static final WgKey PRIVATE = WgKey.parseHex(UapiProtocolTest.PRIV);
    static final WgKey PEER = WgKey.parseHex(UapiProtocolTest.PEER1);
    static final WgKey PSK = WgKey.parseHex(UapiProtocolTest.PSK1);
    static final WgKey OTHER = WgKey.parseHex(UapiProtocolTest.PEER2);

    @TempDir
    Path tmp;
    MemoryDevice device;
    UapiServer server;

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(WG), "wg (wireguard-tools) is not installed at " + WG);
        try {
            Files.createDirectories(UapiServer.DEFAULT_DIRECTORY);
        } catch (IOException e) {
            assumeTrue(false, "cannot create " + UapiServer.DEFAULT_DIRECTORY + " (not root?): " + e);
        }
        assumeTrue(Files.isWritable(UapiServer.DEFAULT_DIRECTORY), UapiServer.DEFAULT_DIRECTORY + " not writable");
        device = new MemoryDevice();
        device.apply(new ConfigChange(Optional.of(PRIVATE), OptionalInt.of(51820), OptionalLong.of(0x42), false,
                List.of(new PeerChange(PEER, false, false, Optional.of(PSK),
                        Optional.of(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 51821)),
                        OptionalInt.of(25), true, List.of(new AllowedIpChange(IpPrefix.parse("10.0.0.0/24"), false),
                        new AllowedIpChange(IpPrefix.parse("fd00::/64"), false))))));
        MemoryDevice.Peer p = device.peer(PEER);
        p.rx = 1234;
        p.tx = 2048;
        device.applied.clear();
        server = UapiServer.start(NAME, device);
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
            assertFalse(Files.exists(server.socketPath()));
        }
    }

    static Result wg(String stdin, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(WG.toString()));
        cmd.addAll(List.of(args));
        Process proc = new ProcessBuilder(cmd).start();
        proc.getOutputStream().write(stdin.getBytes(StandardCharsets.US_ASCII));
        proc.getOutputStream().close();
        assertTrue(proc.waitFor(20, TimeUnit.SECONDS), "wg " + String.join(" ", args) + " timed out");
        return new Result(proc.exitValue(), new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    static Result ok(String... args) throws Exception {
        Result r = wg("", args);
        assertEquals(0, r.exit(), "wg " + String.join(" ", args) + ": " + r.err());
        return r;
    }

    @Test
    void wgShowListsThePeer() throws Exception {
        String out = ok("show", NAME).out();
        String publicKey = wg(PRIVATE.toBase64() + "\n", "pubkey").out().strip();
        assertTrue(out.contains("interface: " + NAME + "\n"), out);
        assertTrue(out.contains("public key: " + publicKey + "\n"), "wg derived it from our private_key\n" + out);
        assertTrue(out.contains("private key: (hidden)\n"), out);
        assertTrue(out.contains("listening port: 51820\n"), out);
        assertTrue(out.contains("fwmark: 0x42\n"), out);
        assertTrue(out.contains("peer: " + PEER.toBase64() + "\n"), out);
        assertTrue(out.contains("preshared key: (hidden)\n"), out);
        assertTrue(out.contains("endpoint: 192.0.2.7:51821\n"), out);
        assertTrue(out.contains("allowed ips: 10.0.0.0/24, fd00::/64\n"), out);
        assertTrue(out.contains("transfer: 1.21 KiB received, 2.00 KiB sent\n"), out);
        assertTrue(out.contains("persistent keepalive: every 25 seconds\n"), out);

        String dump = ok("show", NAME, "dump").out();
        assertEquals(PRIVATE.toBase64() + "\t" + publicKey + "\t51820\t0x42\n" + PEER.toBase64() + "\t"
                + PSK.toBase64() + "\t192.0.2.7:51821\t10.0.0.0/24,fd00::/64\t0\t1234\t2048\t25\n", dump);
    }

    @Test
    void showconfRoundTripsThroughOurParserAndSetconf() throws Exception {
        String conf = ok("showconf", NAME).out();
        InterfaceConfig parsed = ConfigFile.parse(new StringReader(conf), "showconf");
        assertEquals(PRIVATE, parsed.privateKey());
        assertEquals(OptionalInt.of(51820), parsed.listenPort());
        assertEquals(OptionalLong.of(0x42), parsed.fwMark());
        assertEquals(1, parsed.peers().size());
        assertEquals(List.of(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("fd00::/64")),
                parsed.peers().get(0).allowedIps());

        Path file = tmp.resolve("showconf.conf");
        Files.writeString(file, conf);
        ok("setconf", NAME, file.toString());
        assertEquals(List.of(ConfigChanges.fromConfig(parsed)), device.applied,
                "wg setconf and ConfigChanges.fromConfig produce the same change");
        assertEquals(conf, ok("showconf", NAME).out());
    }

    @Test
    void wgSetPeerArrivesAsTheRightChange() throws Exception {
        ok("set", NAME, "peer", OTHER.toBase64(), "allowed-ips", "10.0.0.2/32", "endpoint", "1.2.3.4:51820");
        ConfigChange expected = new ConfigChange(Optional.empty(), OptionalInt.empty(), OptionalLong.empty(), false,
                List.of(new PeerChange(OTHER, false, false, Optional.empty(),
                        Optional.of(new InetSocketAddress(InetAddress.getByName("1.2.3.4"), 51820)),
                        OptionalInt.empty(), true,
                        List.of(new AllowedIpChange(IpPrefix.parse("10.0.0.2/32"), false)))));
        assertEquals(List.of(expected), device.applied);
        assertTrue(ok("show", NAME, "peers").out().contains(OTHER.toBase64()));
        assertTrue(ok("show", NAME, "allowed-ips").out().contains(OTHER.toBase64() + "\t10.0.0.2/32\n"));
    }

    @Test
    void wgSetPeerRemove() throws Exception {
        ok("set", NAME, "peer", PEER.toBase64(), "remove");
        assertEquals(1, device.applied.size());
        PeerChange pc = device.applied.get(0).peers().get(0);
        assertEquals(PEER, pc.publicKey());
        assertTrue(pc.remove());
        assertEquals("", ok("show", NAME, "peers").out());
    }

    @Test
    void deviceErrnoReachesWg() throws Exception {
        device.failWith = UapiException.EADDRINUSE;
        Result r = wg("", "set", NAME, "listen-port", "5");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("Address already in use"), r.err());
    }
}
