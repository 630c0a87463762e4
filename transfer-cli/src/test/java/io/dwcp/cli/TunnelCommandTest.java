package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** genkey, pubkey, tunnel up's errors, and the encrypted path end to end (demo --tunnel: root only). */
class TunnelCommandTest {
    @TempDir
    Path tmp;

    private static boolean root() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    private static String withStdin(List<String> cmd, String stdin) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue() + ":" + out;
    }

    @Test
    void genkeyAndPubkeyUseWgsFormats() throws Exception {
        Harness.Result gen = Harness.run("genkey");
        gen.assertExit(0);
        String priv = gen.out().strip();
        assertTrue(priv.matches("[A-Za-z0-9+/]{43}="), priv);
        String pub = withStdin(Harness.command(List.of("pubkey")), priv + "\n");
        assertTrue(pub.matches("0:[A-Za-z0-9+/]{43}="), pub);
        // RFC 7748 section 6.1: Alice's private key and public key, in wg's base64
        String alice = java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of()
                .parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        String alicePub = java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of()
                .parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
        assertEquals("0:" + alicePub, withStdin(Harness.command(List.of("pubkey")), alice));
        String bad = withStdin(Harness.command(List.of("pubkey")), "not a key");
        assertTrue(bad.startsWith("1:"), bad);
    }

    @Test
    void tunnelUpRejectsABadConfigWithTheLine() throws Exception {
        Path conf = tmp.resolve("wg0.conf");
        Files.writeString(conf, "[Interface]\nPrivateKey = " + Harness.run("genkey").out().strip()
                + "\n\n[Peer]\nPublicKey = abc\n");
        Harness.Result r = Harness.run("tunnel", "up", conf.toString());
        r.assertExit(1);
        assertTrue(r.err().contains("line=5") && r.err().contains("PublicKey"), r.toString());
        assertFalse(r.err().contains("Exception"), r.toString());
    }

    @Test
    void tunnelUpWithoutNetAdminSaysWhatToDo() throws Exception {
        assumeTrue(root(), "needs root to drop CAP_NET_ADMIN from a child");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) not installed");
        Path conf = tmp.resolve("wg7.conf");
        Files.writeString(conf, "[Interface]\nPrivateKey = " + Harness.run("genkey").out().strip() + "\n");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--bounding-set=-net_admin",
                "--inh-caps=-net_admin"));
        cmd.addAll(Harness.command(List.of("tunnel", "up", conf.toString())));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("needs CAP_NET_ADMIN") && out.contains("run as root"), out);
        assertFalse(out.contains("\tat "), out);
    }

    @Test
    void aFileSentThroughTheTunnelArrivesVerified() throws Exception {
        assumeTrue(root(), "needs root (network namespace, TUN devices)");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "no /dev/net/tun");
        Harness.Result r = Harness.run(Duration.ofMinutes(4), List.of("demo", "--tunnel", "--size", "256M",
                "--dir", tmp.toString()));
        r.assertExit(0);
        assertTrue(r.out().contains("byte for byte equal"), r.toString());
        assertTrue(r.out().contains("handshakes=1") || r.out().contains("handshakes=2"), r.toString());
    }
}
