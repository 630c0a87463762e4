package io.dwcp.wireguard.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A wireguard-go interface inside a namespace, configured with {@code wg set} and {@code ip}. */
final class WireguardGoPeer implements AutoCloseable {
    final VethNamespace ns;
    final String name;
    final String privateKey;
    final String publicKey;
    final int port;
    private final Process process;

    WireguardGoPeer(VethNamespace ns, String name, int port, String tunnelAddress) throws Exception {
        this.ns = ns;
        this.name = name;
        this.port = port;
        this.privateKey = NetTestEnv.run("wg", "genkey").strip();
        this.publicKey = pubkey(privateKey);
        Files.deleteIfExists(Path.of("/var/run/wireguard/" + name + ".sock"));
        process = new ProcessBuilder(ns.nsCommand("wireguard-go", "-f", name)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Path sock = Path.of("/var/run/wireguard/" + name + ".sock");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(sock)) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IllegalStateException("wireguard-go did not start: " + name);
            }
            Thread.sleep(20);
        }
        Path key = Files.createTempFile("wgkey", ".txt");
        Files.writeString(key, privateKey);
        try {
            wg("set", name, "private-key", key.toString(), "listen-port", Integer.toString(port));
        } finally {
            Files.delete(key);
        }
        ns.inNs("ip", "address", "add", tunnelAddress + "/24", "dev", name);
        ns.inNs("ip", "link", "set", name, "mtu", "1420", "up");
    }

    static String pubkey(String privateKey) throws Exception {
        Process p = new ProcessBuilder("wg", "pubkey").start();
        p.getOutputStream().write(privateKey.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
        p.waitFor();
        return out;
    }

    String wg(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "wg";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return ns.inNs(cmd);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
