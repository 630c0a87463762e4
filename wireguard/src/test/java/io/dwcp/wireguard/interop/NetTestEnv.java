package io.dwcp.wireguard.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the interop tests need from the host: root, /dev/net/tun, network namespaces, iproute2, and the peer tools
 * (installed from Debian by scripts/install-tools.sh when root and missing, as CI runs). Tests skip with the reason
 * when any is missing. Also runs commands, in the test's namespace or here.
 */
final class NetTestEnv {
    private NetTestEnv() {
    }

    static void assumeNetAdmin(String... tools) throws Exception {
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "needs root (TUN devices, network namespaces)");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "no /dev/net/tun");
        assumeTrue(onPath("ip"), "iproute2 (ip) not installed: scripts/install-tools.sh ip");
        List<String> missing = new ArrayList<>();
        for (String t : tools) {
            if (!onPath(t)) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            Path script = Path.of(System.getProperty("user.dir")).resolveSibling("scripts").resolve("install-tools.sh");
            if (Files.isExecutable(script)) {
                List<String> cmd = new ArrayList<>(List.of(script.toString()));
                cmd.addAll(missing);
                Process install = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                if (!install.waitFor(300, TimeUnit.SECONDS)) {
                    install.destroyForcibly();
                }
            }
            for (String t : missing) {
                assumeTrue(onPath(t), t + " not installed and scripts/install-tools.sh could not install it");
            }
        }
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    /** Runs a command, returns its output; fails with the output when it exits non-zero. */
    static String run(String... cmd) throws IOException, InterruptedException {
        Result r = exec(60, cmd);
        if (r.exit != 0) {
            throw new IOException("command failed (" + r.exit + "): " + String.join(" ", cmd) + "\n" + r.output);
        }
        return r.output;
    }

    record Result(int exit, String output) {
    }

    static Result exec(int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[][] out = new byte[1][];
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(1000);
            return new Result(-1, "timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
        }
        reader.join(5000);
        return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    }

    /** Runs a command, ignoring failure (clean-up). */
    static void quiet(String... cmd) {
        try {
            exec(20, cmd);
        } catch (IOException | InterruptedException e) {
            // clean-up is best effort
        }
    }
}
