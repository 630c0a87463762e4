package io.dwcp.cli;

import io.dwcp.cli.args.OptionSpec;
import io.dwcp.cli.args.ParsedArgs;
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
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Options shared by {@code serve} and {@code recv}. */
final class ServerOptions {
    static final OptionSpec LISTEN = OptionSpec.value("HOST:PORT", "127.0.0.1:7400",
            "Control-plane address (default: ${DEFAULT-VALUE}).", "--listen");

    static final OptionSpec DATA_PORT = OptionSpec.value("PORT", "7401", "Data-plane port on the same host; 0 picks a free one "
            + "(default: ${DEFAULT-VALUE}).", "--data-port");

    static final OptionSpec TOKEN_FILE = OptionSpec.value("FILE", null,
            "Require clients to present this shared secret.", "--token-file");

    static final OptionSpec PLAIN_TCP = OptionSpec.flag(
            "Allow plain TCP on a non-loopback address (needs --token-file).", "--plain-tcp");

    static final OptionSpec MAX_SESSIONS = OptionSpec.value("N", "64",
            "Concurrent transfers (default: ${DEFAULT-VALUE}).", "--max-sessions");

    static final OptionSpec IDLE_TIMEOUT = OptionSpec.value("SECONDS", "120", "Close silent connections after this long "
            + "(default: ${DEFAULT-VALUE}).", "--idle-timeout");

    static final OptionSpec IO = OptionSpec.value("auto|splice|portable", "auto", "Data-plane I/O: auto uses native "
            + "sockets, sendfile and openat2-confined files where this machine allows them, and receives into memory "
            + "(the block is checked there, then written); splice also splices big blocks from the socket into the "
            + "file and reads them back to check them; portable forces plain JDK I/O (default: ${DEFAULT-VALUE}).",
            "--io");

    static final OptionSpec WORKERS = OptionSpec.value("N", "0", "Data-plane worker threads; 0 means one per CPU chosen "
            + "by --pin (default: ${DEFAULT-VALUE}).", "--workers");

    static final OptionSpec PIN = OptionSpec.value("auto|off|CPULIST", "auto", "Pin data-plane threads: auto (one per "
            + "allowed CPU), off, or a list like 0-3,8 (default: ${DEFAULT-VALUE}).", "--pin");

    static final OptionSpec HUGE_PAGES = OptionSpec.value("auto|off|require", "auto", "Huge pages for data-plane buffers: "
            + "auto (reserved huge pages, else transparent ones), off, or require (refuse to start without reserved "
            + "ones) (default: ${DEFAULT-VALUE}).", "--hugepages");

    static final OptionSpec BUFFER_MEMORY = OptionSpec.value("SIZE", "256M", "Bound on the data plane's buffer memory "
            + "(default: ${DEFAULT-VALUE}).", "--buffer-memory");

    static final OptionSpec PART_MAX_AGE = OptionSpec.value("DURATION", "7d", "Remove part files (NAME.dwcp-part, kept "
            + "by interrupted transfers for a resume) nobody resumed once they are this old: a number with s, m, h or "
            + "d (12h, 30m, 7d); 0 or off keeps them forever. Swept at start, then every quarter of it, at least an hour "
            + "apart (default: ${DEFAULT-VALUE}).", "--part-max-age");

    /** Every option above, for the commands that run a server. */
    static final List<OptionSpec> ALL = List.of(LISTEN, DATA_PORT, TOKEN_FILE, PLAIN_TCP, MAX_SESSIONS, IDLE_TIMEOUT,
            IO, WORKERS, PIN, HUGE_PAGES, BUFFER_MEMORY, PART_MAX_AGE);

    private ServerOptions() {
    }

    /** The server's configuration from a parsed command line; a usage error for a value that cannot be used. */
    static ServerConfig config(ParsedArgs args, Path root, boolean oneShot) throws IOException {
        int dataPort = args.intValue(DATA_PORT);
        int maxSessions = args.intValue(MAX_SESSIONS);
        int idleSeconds = args.intValue(IDLE_TIMEOUT);
        String io = args.value(IO);
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
            case "splice" -> IoMode.SPLICE;
            case "portable" -> IoMode.PORTABLE;
            default -> throw new IllegalArgumentException("io=" + io + " reason=expected-auto-splice-or-portable");
        };
        NumaOptions numa = NumaOptions.parse(args.intValue(WORKERS), args.value(PIN), args.value(HUGE_PAGES),
                args.value(BUFFER_MEMORY));
        Duration age = partMaxAge(args.value(PART_MAX_AGE));
        return new ServerConfig(root, address(args.value(LISTEN)), dataPort, Tokens.read(args.path(TOKEN_FILE)),
                args.has(PLAIN_TCP), oneShot, limits, mode, numa, age);
    }

    /** Longest {@code --part-max-age}: ten years, far from any overflow in nanoseconds. */
    static final long MAX_AGE_DAYS = 3650;

    /**
     * {@code --part-max-age}: a whole number and a unit ({@code 45s}, {@code 30m}, {@code 12h}, {@code 7d}), or
     * {@code 0} / {@code off} for never (zero).
     */
    static Duration partMaxAge(String value) {
        String t = value.trim().toLowerCase(Locale.ROOT);
        if (t.equals("off") || t.equals("0")) {
            return Duration.ZERO;
        }
        String expected = " expected=NUMBER+s|m|h|d(e.g.7d,12h,30m)|0|off";
        if (!t.isEmpty() && t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("part-max-age=" + value + " reason=missing-unit" + expected);
        }
        long unitSeconds = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 's' -> 1;
            case 'm' -> 60;
            case 'h' -> 3600;
            case 'd' -> 86400;
            default -> throw new IllegalArgumentException("part-max-age=" + value + " reason=not-a-duration" + expected);
        };
        String number = t.substring(0, t.length() - 1);
        if (number.isEmpty() || !number.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("part-max-age=" + value + " reason=not-a-duration" + expected);
        }
        long n;
        try {
            n = Long.parseLong(number);
        } catch (NumberFormatException e) {
            n = Long.MAX_VALUE; // more digits than a long: out of range below
        }
        if (n > MAX_AGE_DAYS * 86400 / unitSeconds) {
            throw new IllegalArgumentException("part-max-age=" + value + " reason=out-of-range max=" + MAX_AGE_DAYS + "d");
        }
        return Duration.ofSeconds(n * unitSeconds); // 0s, 0m...: zero as well, never
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
