package io.dwcp.cli;

import io.dwcp.core.Limits;
import io.dwcp.server.DwcpServer;
import io.dwcp.server.ServerConfig;
import io.dwcp.server.TunnelPeers;
import io.dwcp.wireguard.config.ConfigFile;
import io.dwcp.wireguard.config.WgKey;
import io.dwcp.wireguard.crypto.Keys;
import io.dwcp.wireguard.crypto.X25519;
import io.dwcp.wireguard.tunnel.Tunnel;
import io.dwcp.wireguard.tunnel.TunnelOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code dwcp demo --tunnel}: the encrypted path on one machine. A network namespace joined to this one by a veth
 * pair plays the remote site: this process runs the server inside a WireGuard interface ({@code serve --tunnel}),
 * the namespace runs a second DWCP WireGuard peer and a {@code dwcp send} of a generated file through it, and the
 * file that arrives (in the sending peer's own root) is compared byte for byte. Needs root; cleans up after itself.
 */
final class TunnelDemo {
    private final PrintStream out;
    private final long size;
    private final Path work;
    private final long pid = ProcessHandle.current().pid();
    private final int net = (int) (pid % 200) + 20;
    private final String ns = "dwcpdemo" + pid;
    private final String hostVeth = ("dwdh" + pid);
    private final String nsVeth = ("dwdn" + pid);
    private final List<Process> children = new ArrayList<>();

    TunnelDemo(PrintStream out, long size, Path work) {
        this.out = out;
        this.size = size;
        this.work = work;
    }

    /** Runs the demo; returns the exit code of the send through the tunnel (0: arrived and verified). */
    int run() throws Exception {
        if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
            throw new IllegalArgumentException("demo --tunnel needs root (a network namespace and TUN devices): "
                    + "sudo ./dwcp demo --tunnel");
        }
        String server = "10.251." + net + ".1";
        String client = "10.251." + net + ".2";
        try {
            ip("netns", "add", ns);
            ip("link", "add", hostVeth, "type", "veth", "peer", "name", nsVeth);
            ip("link", "set", nsVeth, "netns", ns);
            ip("address", "add", "10.250." + net + ".1/24", "dev", hostVeth);
            ip("link", "set", hostVeth, "up");
            ip("-n", ns, "address", "add", "10.250." + net + ".2/24", "dev", nsVeth);
            ip("-n", ns, "link", "set", nsVeth, "up");
            ip("-n", ns, "link", "set", "lo", "up");
            byte[] serverKey = Keys.genkey();
            byte[] clientKey = Keys.genkey();
            String serverConf = "[Interface]\nPrivateKey = " + WgKey.of(serverKey).toBase64() + "\nAddress = " + server
                    + "/24\n\n[Peer]\nPublicKey = " + WgKey.of(X25519.publicKey(clientKey)).toBase64()
                    + "\nAllowedIPs = " + client + "/32\n";
            try (Tunnel tunnel = Tunnel.up("dwds" + pid, ConfigFile.parse(new StringReader(serverConf), "server.conf"),
                    TunnelOptions.DEFAULT)) {
                Path root = Files.createDirectories(work.resolve("dst"));
                ServerConfig cfg = new ServerConfig(root, new InetSocketAddress(tunnel.address(), 0), 0, null, false, false,
                        Limits.defaults());
                try (DwcpServer s = DwcpServer.start(cfg, new TunnelPeers(tunnel))) {
                    out.println("server: " + server + ":" + s.controlAddress().getPort() + " inside WireGuard interface "
                            + tunnel.interfaceName() + " (UDP " + tunnel.device().listenPort() + "), root per peer below "
                            + root);
                    Path clientConf = work.resolve("client.conf");
                    Files.writeString(clientConf, "[Interface]\nPrivateKey = " + WgKey.of(clientKey).toBase64()
                            + "\nAddress = " + client + "/24\n\n[Peer]\nPublicKey = "
                            + WgKey.of(X25519.publicKey(serverKey)).toBase64() + "\nAllowedIPs = " + server
                            + "/32\nEndpoint = 10.250." + net + ".1:" + tunnel.device().listenPort() + "\n");
                    Files.setPosixFilePermissions(clientConf, PosixFilePermissions.fromString("rw-------"));
                    startClientTunnel(clientConf);
                    Path file = Files.createDirectories(work.resolve("src")).resolve("image.bin");
                    DemoCommand.writeRandom(file, size, new java.util.SplittableRandom(11));
                    out.printf("client: namespace %s, DWCP WireGuard peer %s, sending %s of random data%n", ns, client,
                            Units.bytes(size));
                    long t0 = System.nanoTime();
                    Process send = inNs(List.of("send", "--no-progress", "--json", file.toString(),
                            server + ":" + s.controlAddress().getPort()));
                    String json = new String(send.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                    int exit = send.waitFor();
                    double secs = (System.nanoTime() - t0) / 1e9;
                    Path arrived = root.resolve(TunnelPeers.directoryName(X25519.publicKey(clientKey))).resolve("image.bin");
                    boolean same = Files.exists(arrived) && Files.mismatch(file, arrived) == -1;
                    out.printf("send through the tunnel: exit %d, %.2f s (%s/s including JVM start), arrived in %s, "
                            + "byte for byte %s%n", exit, secs, Units.bytes((long) (size / secs)), arrived,
                            same ? "equal" : "DIFFERENT");
                    if (exit != 0) {
                        out.println(json);
                    }
                    out.println("server's WireGuard device: " + tunnel.device().counters());
                    return exit != 0 ? exit : same ? 0 : 3;
                }
            }
        } finally {
            for (Process p : children) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            quiet("netns", "del", ns);
            quiet("link", "del", hostVeth);
        }
    }

    private void startClientTunnel(Path conf) throws IOException, InterruptedException {
        Process p = inNs(List.of("tunnel", "up", "--name", "dwdc" + pid, conf.toString()));
        children.add(p);
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = err.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.contains(" up, listening on UDP port")) {
                // keep draining its log so the child never blocks on a full pipe
                Thread.ofVirtual().start(() -> drain(err));
                return;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        throw new IOException("the namespace's tunnel did not come up:\n" + seen);
    }

    private static void drain(BufferedReader r) {
        try {
            while (r.readLine() != null) {
                // discard
            }
        } catch (IOException e) {
            // the child ended
        }
    }

    /** This very program (same JVM binary, class path and flags), inside the namespace. */
    private Process inNs(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-XX:MaxDirectMemorySize=192m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        return p;
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalArgumentException("demo --tunnel needs iproute2: scripts/install-tools.sh ip");
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IOException("command=\"" + String.join(" ", cmd) + "\" failed: " + output);
        }
    }

    private static void quiet(String... args) {
        try {
            ip(args);
        } catch (IOException | InterruptedException | IllegalArgumentException e) {
            // clean-up is best effort
        }
    }

}
