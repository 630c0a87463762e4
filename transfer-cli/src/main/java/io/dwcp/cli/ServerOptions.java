package io.dwcp.cli;

import io.dwcp.core.Limits;
import io.dwcp.numa.NumaOptions;
import io.dwcp.server.ServerConfig;
import io.dwcp.zerocopy.IoMode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Options shared by {@code serve} and {@code recv}. */
final class ServerOptions {
    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Control-plane address (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:7400")
    String listen;

    @Option(names = "--data-port", paramLabel = "PORT", description = "Data-plane port on the same host; 0 picks a free one "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "7401")
    int dataPort;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Require clients to present this shared secret.")
    Path tokenFile;

    @Option(names = "--plain-tcp", description = "Allow plain TCP on a non-loopback address (needs --token-file).")
    boolean plainTcp;

    @Option(names = "--max-sessions", description = "Concurrent transfers (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int maxSessions;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "Close silent connections after this long "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "120")
    int idleSeconds;

    @Option(names = "--io", paramLabel = "auto|portable", description = "Data-plane I/O: auto uses sendfile, splice "
            + "and openat2-confined files where this machine allows them; portable forces plain JDK I/O "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "auto")
    String io;

    @Option(names = "--workers", paramLabel = "N", description = "Data-plane worker threads; 0 means one per CPU chosen "
            + "by --pin (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    int workers;

    @Option(names = "--pin", paramLabel = "auto|off|CPULIST", description = "Pin data-plane threads: auto (one per "
            + "allowed CPU), off, or a list like 0-3,8 (default: ${DEFAULT-VALUE}).", defaultValue = "auto")
    String pin;

    @Option(names = "--hugepages", paramLabel = "auto|off|require", description = "Huge pages for data-plane buffers: "
            + "auto (reserved huge pages, else transparent ones), off, or require (refuse to start without reserved "
            + "ones) (default: ${DEFAULT-VALUE}).", defaultValue = "auto")
    String hugePages;

    @Option(names = "--buffer-memory", paramLabel = "SIZE", description = "Bound on the data plane's buffer memory "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "256M")
    String bufferMemory;

    ServerConfig config(Path root, boolean oneShot) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("root=\"" + root + "\" reason=not-a-directory");
        }
        if (dataPort < 0 || dataPort > 65535) {
            throw new IllegalArgumentException("data-port=" + dataPort + " reason=out-of-range");
        }
        if (maxSessions < 1 || idleSeconds < 1) {
            throw new IllegalArgumentException("reason=limits-must-be-positive");
        }
        Limits limits = Limits.defaults().withMaxSessions(maxSessions).withIdleTimeoutMillis(idleSeconds * 1000);
        IoMode mode = switch (io.toLowerCase(Locale.ROOT)) {
            case "auto" -> IoMode.AUTO;
            case "portable" -> IoMode.PORTABLE;
            default -> throw new IllegalArgumentException("io=" + io + " reason=expected-auto-or-portable");
        };
        NumaOptions numa = NumaOptions.parse(workers, pin, hugePages, bufferMemory);
        return new ServerConfig(root, address(listen), dataPort, Tokens.read(tokenFile), plainTcp, oneShot, limits,
                mode, numa);
    }

    static InetSocketAddress address(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("listen=" + hostPort + " reason=expected-HOST:PORT");
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("listen=" + hostPort + " reason=bad-port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen=" + hostPort + " reason=bad-port");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host.isEmpty() ? "127.0.0.1" : host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("listen=" + hostPort + " reason=unknown-host");
        }
    }
}
