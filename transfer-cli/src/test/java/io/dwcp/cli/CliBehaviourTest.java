package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tokens, the loopback-only default, and the usage errors that must exit 1 before anything is sent. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CliBehaviourTest {
    @TempDir
    static Path base;
    private static Path root;
    private static Path src;
    private static Path tokenFile;
    private static ServerProcess server;
    /** A port nothing listens on: a usage error must be reported before any connection is tried. */
    private static int closedPort;

    @BeforeAll
    static void setUp() throws Exception {
        root = Files.createDirectories(base.resolve("root"));
        src = Files.createDirectories(base.resolve("src"));
        Files.writeString(src.resolve("hello.txt"), "hello, token\n");
        tokenFile = Files.writeString(base.resolve("server.token"), "  s3cret-token-0123456789\n");
        server = ServerProcess.serve(root, "--token-file", tokenFile.toString());
        assertTrue(server.log().contains("auth=token"), server::log);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    // ---- 7. tokens ----

    @Test
    void theRightTokenIsAccepted() throws Exception {
        Path mine = Files.writeString(base.resolve("client.token"), "s3cret-token-0123456789");
        Result r = Harness.send(List.of("--token-file", mine.toString()), List.of(src.resolve("hello.txt")),
                server.target("with-token"));
        r.assertExit(0);
        assertEquals(Boolean.TRUE, r.json().get("verified"));
        assertEquals("hello, token\n", Files.readString(root.resolve("with-token/hello.txt")));
    }

    @Test
    void noTokenOrAWrongTokenIsRefused() throws Exception {
        Path wrong = Files.writeString(base.resolve("wrong.token"), "s3cret-token-0123456788");
        Path prefix = Files.writeString(base.resolve("prefix.token"), "s3cret-token");
        List<List<String>> variants = List.of(List.of(), List.of("--token-file", wrong.toString()),
                List.of("--token-file", prefix.toString()));
        for (List<String> opts : variants) {
            Result r = Harness.send(opts, List.of(src.resolve("hello.txt")), server.target("no-token"));
            r.assertExit(2);
            assertTrue(String.valueOf(r.json().get("error")).contains("auth=refused"), r::toString);
            assertEquals(Boolean.FALSE, r.json().get("verified"));
        }
        // Without --json the reason goes to stderr.
        List<String> args = new ArrayList<>(List.of("send", "--no-progress", src.resolve("hello.txt").toString(),
                server.target("no-token")));
        Result plain = Harness.run(Harness.CLI_TIMEOUT, args);
        plain.assertExit(2);
        assertTrue(plain.err().contains("auth=refused"), plain::toString);
        assertFalse(Files.exists(root.resolve("no-token")), "a refused client must not create anything");
        assertTrue(server.log().contains("auth=refused"), "the server logs refusals");
    }

    // ---- 7. the loopback-only default ----

    static Stream<Arguments> nonLoopbackStarts() {
        List<Arguments> l = new ArrayList<>();
        l.add(Arguments.of(List.of("serve", "--listen", "0.0.0.0:0"), "non-loopback-needs-explicit-plain-tcp"));
        l.add(Arguments.of(List.of("serve", "--listen", "0.0.0.0:0", "--plain-tcp"), "plain-tcp-needs-token"));
        l.add(Arguments.of(List.of("recv", "--listen", "0.0.0.0:0"), "non-loopback-needs-explicit-plain-tcp"));
        nonLoopbackAddress().ifPresent(a -> l.add(Arguments.of(List.of("serve", "--listen", a + ":0"),
                "non-loopback-needs-explicit-plain-tcp")));
        return l.stream();
    }

    private static Optional<String> nonLoopbackAddress() {
        try {
            return NetworkInterface.networkInterfaces().filter(i -> {
                try {
                    return i.isUp() && !i.isLoopback();
                } catch (java.net.SocketException e) {
                    return false;
                }
            }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                    .map(InetAddress::getHostAddress).findFirst();
        } catch (java.net.SocketException e) {
            return Optional.empty();
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("nonLoopbackStarts")
    void aServerOffLoopbackRefusesToStartWithoutPlainTcpAndAToken(List<String> args, String reason,
                                                                  @TempDir Path dir) throws Exception {
        List<String> a = new ArrayList<>(args);
        a.addAll(List.of("--data-port", "0"));
        if (a.get(0).equals("serve")) {
            a.addAll(List.of("--root", dir.toString()));
        } else {
            a.add(dir.toString());
        }
        Result r = Harness.run(Duration.ofSeconds(20), a);
        r.assertExit(1);
        assertTrue(r.err().contains(reason), r::toString);
        assertFalse(r.err().contains("listening"), r::toString);
    }

    @Test
    void plainTcpWithATokenDoesStartOffLoopback(@TempDir Path dir) throws Exception {
        Optional<String> addr = nonLoopbackAddress();
        assumeTrue(addr.isPresent(), "no non-loopback IPv4 address on this host");
        try (ServerProcess s = ServerProcess.start(List.of("serve", "--root", dir.toString(), "--listen",
                addr.get() + ":0", "--data-port", "0", "--plain-tcp", "--token-file", tokenFile.toString()))) {
            assertTrue(s.log().contains("auth=token"), s::log);
        }
    }

    // ---- 9. usage errors ----

    static Stream<Arguments> usageErrors() {
        String file = src.resolve("hello.txt").toString();
        String target = "127.0.0.1:" + closedPort + "/dest";
        return Stream.of(
                Arguments.of(List.of("send", "--bogus", file, target), "option=--bogus reason=unknown"),
                Arguments.of(List.of("send", "--json=yes", file, target), "option=--json reason=takes-no-value"),
                Arguments.of(List.of("send", file, target, "--idle-timeout"), "option=--idle-timeout reason=missing-value"),
                Arguments.of(List.of("send", "--idle-timeout", "soon", file, target), "value=soon reason=not-an-integer"),
                Arguments.of(List.of("recv", base.toString(), "extra"), "operand=\"extra\" reason=unexpected"),
                Arguments.of(List.of("tunnel"), "reason=missing-subcommand"),
                Arguments.of(List.of("tunnel", "down"), "command=down reason=unknown"),
                Arguments.of(List.of("help", "teleport"), "command=teleport reason=unknown"),
                Arguments.of(List.of("send", "--compress", "zstd", file, target), "compress=zstd"),
                Arguments.of(List.of("send", src.resolve("does-not-exist.bin").toString(), target), "not-found"),
                Arguments.of(List.of("send", file, "127.0.0.1:notaport/dest"), "bad-port"),
                Arguments.of(List.of("send", file, "127.0.0.1:0"), "bad-port"),
                Arguments.of(List.of("send", file, "127.0.0.1:70000"), "bad-port"),
                Arguments.of(List.of("send", file, ":7400"), "missing-host"),
                Arguments.of(List.of("send", file, "[::1"), "unclosed-bracket"),
                Arguments.of(List.of("send", file, "127.0.0.1:" + closedPort + "/a/../b"), "parent-component"),
                Arguments.of(List.of("send", file, "127.0.0.1:" + closedPort + "/../b"), "parent-component"),
                Arguments.of(List.of("send", file), "SRC|TARGET"),
                Arguments.of(List.of("send", "-P", "0", file, target), "streams=0"),
                Arguments.of(List.of("send", "-P", "65", file, target), "streams=65"),
                Arguments.of(List.of("send", "-P", "many", file, target), "streams=many"),
                Arguments.of(List.of("demo", "-P", "0"), "streams=0"),
                Arguments.of(List.of("send", "--block-size", "3000", file, target), "block-size"),
                Arguments.of(List.of("send", "--block-size", "32M", file, target), "block-size"),
                Arguments.of(List.of("send", "--block-size", "lots", file, target), "size"),
                Arguments.of(List.of("send", "--token-file", base.resolve("nope.token").toString(), file, target), "token-file"),
                Arguments.of(List.of("send", "--exclude-from", base.resolve("no-rules").toString(), file, target),
                        "exclude-from=\"" + base.resolve("no-rules") + "\" reason=not-found"),
                Arguments.of(List.of("send", "--exclude-from", base.toString(), file, target),
                        "exclude-from=\"" + base + "\" reason=unreadable"),
                Arguments.of(List.of("send", src.toString(), src.toString(), target), "reason=given-twice"),
                Arguments.of(List.of(), "command"),
                Arguments.of(List.of("teleport"), "teleport"),
                Arguments.of(List.of("serve"), "--root"),
                Arguments.of(List.of("serve", "--root", base.resolve("no-such-dir").toString()), "not-a-directory"),
                Arguments.of(List.of("serve", "--root", base.toString(), "--listen", "127.0.0.1"), "HOST:PORT"),
                Arguments.of(List.of("serve", "--root", base.toString(), "--listen", "no-such-host.invalid:7400"),
                        "listen=no-such-host.invalid:7400 reason=unknown-host"),
                Arguments.of(List.of("serve", "--root", base.toString(), "--data-port", "70000"), "data-port"),
                Arguments.of(List.of("demo", "--size", "0"), "size"),
                Arguments.of(List.of("demo", "--size", "1M", "--small", "-1"), "small=-1"));
    }

    @ParameterizedTest(name = "[{index}] dwcp {0}")
    @MethodSource("usageErrors")
    void usageErrorsExitOne(List<String> args, String mentions) throws Exception {
        Result r = Harness.run(Duration.ofSeconds(20), args);
        r.assertExit(1);
        assertTrue(r.err().contains(mentions), "stderr must mention '" + mentions + "'\n" + r);
        assertFalse(Files.exists(root.resolve("dest")), "nothing may be sent on a usage error");
    }

    @Test
    void aServerThatCannotBindSaysWhichPort() throws Exception {
        Result data = Harness.run(Duration.ofSeconds(20), List.of("serve", "--root", base.toString(), "--listen",
                "127.0.0.1:0", "--data-port", String.valueOf(server.dataPort)));
        data.assertExit(2);
        assertTrue(data.err().contains("data_port=" + server.dataPort + " reason=bind-failed"), data::toString);

        Result control = Harness.run(Duration.ofSeconds(20), List.of("serve", "--root", base.toString(), "--listen",
                "127.0.0.1:" + server.controlPort, "--data-port", "0"));
        control.assertExit(2);
        assertTrue(control.err().contains(":" + server.controlPort + " reason=bind-failed"), control::toString);
    }

    @Test
    void aServerThatCannotBeReachedIsNamedInTheError() throws Exception {
        Result closed = Harness.send(List.of(), List.of(src), "127.0.0.1:" + closedPort);
        closed.assertExit(2);
        assertTrue(String.valueOf(closed.json().get("error")).contains(
                "connection=control server=127.0.0.1:" + closedPort + " reason=connect-failed"), closed::toString);

        Result unknown = Harness.send(List.of(), List.of(src), "no-such-host.invalid:7400");
        unknown.assertExit(2);
        assertTrue(String.valueOf(unknown.json().get("error")).contains("host=\"no-such-host.invalid\" reason=unknown-host"),
                unknown::toString);
    }

    @Test
    void helpAndVersionExitZero() throws Exception {
        Result help = Harness.run("send", "--help");
        help.assertExit(0);
        assertTrue(help.out().contains("HOST[:PORT][/DEST]"), help::toString);
        Result version = Harness.run("--version");
        version.assertExit(0);
        assertTrue(version.out().contains("protocol"), version::toString);
        // Only the named command is registered for a run; help without one must still know every command.
        Result top = Harness.run("--help");
        top.assertExit(0);
        for (String command : List.of("serve", "recv", "send", "demo", "help")) {
            assertTrue(top.out().contains("  " + command + " "), "top-level help lists " + command + "\n" + top);
        }
        Result helpSend = Harness.run("help", "send");
        helpSend.assertExit(0);
        assertTrue(helpSend.out().contains("HOST[:PORT][/DEST]"), helpSend::toString);
    }
}
