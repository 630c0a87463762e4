package io.dwcp.cli;

import io.dwcp.core.Limits;
import io.dwcp.server.ServerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        return new ServerConfig(root, address(listen), dataPort, Tokens.read(tokenFile), plainTcp, oneShot, limits);
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
