package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Shared plumbing for the end-to-end tests: runs {@code io.dwcp.cli.Main} in child JVMs (server, one-shot
 * receiver, sender) on the test JVM's own class path, captures stdout/stderr/exit code with timeouts, and makes
 * sure no child outlives the test run.
 */
final class Harness {
    static final String JDK25_JAVA = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
    static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("listening control=\\S*:(\\d+) data_port=(\\d+)");
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    /**
     * The children's class path: the test JVM's own, with every build output (anything under a {@code target}
     * directory) copied to a private directory first. Other builds in the same working tree rewrite
     * {@code target/classes} and the module jars while tests run; a child JVM starting during such a rebuild would
     * otherwise load half a build.
     */
    private static final String CHILD_CLASS_PATH = snapshotClassPath();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Harness::kill), "harness-reaper"));
    }

    private Harness() {
    }

    private static String snapshotClassPath() {
        String cp = System.getProperty("java.class.path");
        try {
            Path dir = Files.createTempDirectory("dwcp-test-cp-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    deleteTree(dir);
                } catch (IOException ignored) {
                    // best effort
                }
            }));
            List<String> out = new ArrayList<>();
            int n = 0;
            for (String e : cp.split(java.io.File.pathSeparator)) {
                Path p = Path.of(e);
                boolean build = p.toString().contains(java.io.File.separator + "target" + java.io.File.separator)
                        && !p.toString().contains("test-classes");
                if (!build || !Files.exists(p)) {
                    if (!p.toString().contains("test-classes")) {
                        out.add(e);
                    }
                    continue;
                }
                Path copy = dir.resolve((n++) + "-" + p.getFileName());
                if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.walk(p)) {
                        for (Path x : s.toList()) {
                            Path t = copy.resolve(p.relativize(x).toString());
                            if (Files.isDirectory(x)) {
                                Files.createDirectories(t);
                            } else {
                                Files.copy(x, t);
                            }
                        }
                    }
                } else {
                    Files.copy(p, copy);
                }
                out.add(copy.toString());
            }
            return String.join(java.io.File.pathSeparator, out);
        } catch (IOException e) {
            return cp;
        }
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse(JDK25_JAVA);
    }

    static List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-Xshare:auto",
                "-cp", CHILD_CLASS_PATH, "io.dwcp.cli.Main"));
        cmd.addAll(args);
        return cmd;
    }

    static Process start(List<String> args) throws IOException {
        return start(args, Map.of());
    }

    /** Starts the CLI with {@code env} over a UTF-8 locale and none of dwcp's own variables. */
    static Process start(List<String> args, Map<String, String> env) throws IOException {
        return start(List.of(), args, env);
    }

    /** As {@link #start(List, Map)}, the JVM's command line behind {@code prefix} (a wrapper such as unshare). */
    static Process start(List<String> prefix, List<String> args, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(command(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().remove("DWCP_STDERR_TTY");
        pb.environment().remove("DWCP_LOG");
        pb.environment().remove("DWCP_TRANSPORT");
        pb.environment().putAll(env);
        Process p = pb.start();
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        return p;
    }

    static void kill(Process p) {
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        LIVE.remove(p);
    }

    /** Collects a stream into a buffer on a virtual thread. */
    static final class Drain {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in) {
            thread = Thread.ofVirtual().start(() -> {
                byte[] b = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(b)) >= 0) {
                        synchronized (buf) {
                            buf.write(b, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // process gone
                }
            });
        }

        String text() {
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }

        void await(Duration d) throws InterruptedException {
            thread.join(d);
        }
    }

    /** What a finished CLI process left behind. */
    record Result(List<String> args, int exit, String out, String err, Duration took) {
        /** The JSON object printed by {@code send --json} (the last line of stdout starting with '{'). */
        Map<String, Object> json() {
            String line = null;
            for (String l : out.split("\n")) {
                if (l.strip().startsWith("{")) {
                    line = l.strip();
                }
            }
            if (line == null) {
                fail("no JSON object on stdout\n" + this);
            }
            return MiniJson.object(line);
        }

        long num(String key) {
            Object v = json().get(key);
            if (!(v instanceof Number n)) {
                throw new AssertionError("JSON field " + key + " is not a number: " + v + "\n" + this);
            }
            return n.longValue();
        }

        void assertExit(int want) {
            assertEquals(want, exit, () -> "exit code of dwcp " + String.join(" ", args) + "\n" + this);
        }

        @Override
        public String toString() {
            return "exit=" + exit + " took=" + took.toMillis() + "ms\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    /** Runs the CLI to completion (killing it after {@code timeout}) and returns what it did. */
    static Result run(Duration timeout, List<String> args) throws IOException, InterruptedException {
        return run(timeout, List.of(), args);
    }

    /** {@link #run(Duration, List)} behind {@code prefix} (see {@link #start(List, List, Map)}). */
    static Result run(Duration timeout, List<String> prefix, List<String> args) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = start(prefix, args, Map.of());
        p.getOutputStream().close();
        Drain out = new Drain(p.getInputStream());
        Drain err = new Drain(p.getErrorStream());
        boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            kill(p);
            out.await(Duration.ofSeconds(2));
            err.await(Duration.ofSeconds(2));
            fail("dwcp " + String.join(" ", args) + " did not finish within " + timeout.toSeconds() + " s\n--- stdout ---\n"
                    + out.text() + "\n--- stderr ---\n" + err.text());
        }
        out.await(Duration.ofSeconds(5));
        err.await(Duration.ofSeconds(5));
        LIVE.remove(p);
        return new Result(List.copyOf(args), p.exitValue(), out.text(), err.text(),
                Duration.ofNanos(System.nanoTime() - t0));
    }

    static Result run(String... args) throws IOException, InterruptedException {
        return run(CLI_TIMEOUT, List.of(args));
    }

    /** {@code dwcp send --json --no-progress OPTIONS... SOURCES... TARGET}. */
    static Result send(List<String> options, List<?> sources, String target) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of("send", "--json", "--no-progress"));
        a.addAll(options);
        for (Object s : sources) {
            a.add(s.toString());
        }
        a.add(target);
        return run(CLI_TIMEOUT, a);
    }

    /** A running {@code dwcp serve} or {@code dwcp recv} child process. */
    static final class ServerProcess implements AutoCloseable {
        final Process process;
        final int controlPort;
        final int dataPort;
        private final Drain out;
        private final Drain err;

        private ServerProcess(Process process, int controlPort, int dataPort, Drain out, Drain err) {
            this.process = process;
            this.controlPort = controlPort;
            this.dataPort = dataPort;
            this.out = out;
            this.err = err;
        }

        /** Starts {@code args} and waits for the "listening" log line. */
        static ServerProcess start(List<String> args) throws IOException, InterruptedException {
            return start(args, Map.of());
        }

        /** {@link #start(List)} with {@code env} added to the child's environment. */
        static ServerProcess start(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
            return start(List.of(), args, env);
        }

        /** {@link #start(List, Map)} behind {@code prefix} (see {@link Harness#start(List, List, Map)}). */
        static ServerProcess start(List<String> prefix, List<String> args, Map<String, String> env)
                throws IOException, InterruptedException {
            Process p = Harness.start(prefix, args, env);
            p.getOutputStream().close();
            Drain out = new Drain(p.getInputStream());
            Drain err = new Drain(p.getErrorStream());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                Matcher m = LISTENING.matcher(err.text());
                if (m.find()) {
                    return new ServerProcess(p, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), out, err);
                }
                if (!p.isAlive()) {
                    err.await(Duration.ofSeconds(2));
                    fail("server exited with " + p.exitValue() + " before listening: dwcp " + String.join(" ", args)
                            + "\n--- stderr ---\n" + err.text());
                }
                Thread.sleep(20);
            }
            kill(p);
            fail("server did not log 'listening' within 30 s: dwcp " + String.join(" ", args) + "\n--- stderr ---\n"
                    + err.text());
            throw new AssertionError();
        }

        /** {@code dwcp serve --root ROOT --listen 127.0.0.1:0 --data-port 0 EXTRA...}. */
        static ServerProcess serve(Path root, String... extra) throws IOException, InterruptedException {
            List<String> a = new ArrayList<>(List.of("serve", "--root", root.toString(), "--listen", "127.0.0.1:0",
                    "--data-port", "0"));
            a.addAll(List.of(extra));
            return start(a);
        }

        String target(String dest) {
            return "127.0.0.1:" + controlPort + (dest.isEmpty() ? "" : "/" + dest);
        }

        String log() {
            return err.text();
        }

        String stdout() {
            return out.text();
        }

        boolean alive() {
            return process.isAlive();
        }

        /** Waits for the process to end by itself; returns its exit code, or fails after {@code d}. */
        int awaitExit(Duration d) throws InterruptedException {
            if (!process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("process did not exit within " + d.toSeconds() + " s\n--- stderr ---\n" + log());
            }
            err.await(Duration.ofSeconds(5));
            return process.exitValue();
        }

        @Override
        public void close() {
            kill(process);
        }
    }

    // ---- files ----

    /** Bytes the file system has allocated to {@code p} ({@code stat -c %b}, in 512-byte units). */
    static long allocated(Path p) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b", p.toString()).start();
        String out = new String(stat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        org.junit.jupiter.api.Assertions.assertEquals(0, stat.waitFor());
        return Long.parseLong(out) * 512;
    }

    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code size} pseudo-random bytes (seeded) to {@code p}, streaming, and returns {@code p}. */
    static Path randomFile(Path p, long size, long seed) throws IOException {
        Files.createDirectories(p.getParent());
        SplittableRandom r = new SplittableRandom(seed);
        byte[] chunk = new byte[1 << 20];
        try (var out = Files.newOutputStream(p)) {
            long left = size;
            while (left > 0) {
                r.nextBytes(chunk);
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                left -= n;
            }
        }
        return p;
    }

    static Set<PosixFilePermission> perms(int mode) {
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        for (int b = 0; b < 9; b++) {
            if ((mode & (1 << b)) != 0) {
                s.add(order[b]);
            }
        }
        return s;
    }

    static void setMeta(Path p, int mode, long mtimeMillis) throws IOException {
        Files.setPosixFilePermissions(p, perms(mode));
        Files.setLastModifiedTime(p, FileTime.fromMillis(mtimeMillis));
    }

    static long mtime(Path p) throws IOException {
        return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis();
    }

    /** The mtime in nanoseconds: what an OFFER carries since protocol version 2, and what the quick check compares. */
    static long mtimeNanos(Path p) throws IOException {
        return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).to(TimeUnit.NANOSECONDS);
    }

    /** Every path below {@code root} (relative, '/'-separated, sorted), not following links. */
    static List<String> listTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    /** Paths of leftover part files below {@code root}. */
    static List<String> partFiles(Path root) throws IOException {
        return listTree(root).stream().filter(s -> s.endsWith(".dwcp-part")).toList();
    }

    /**
     * Asserts that {@code received} holds exactly the entries of {@code source} minus {@code excluded}: same kinds,
     * same bytes, same link targets (verbatim), same modes and nanosecond mtimes for files and directories (the
     * protocol carries nanoseconds, and the quick check compares them exactly: a received file whose mtime were off
     * by a microsecond would be read again on every later send).
     */
    static void assertSameTree(Path source, Path received, Set<String> excluded) throws IOException {
        List<String> want = listTree(source).stream().filter(s -> !excluded.contains(s)).toList();
        List<String> got = listTree(received);
        assertEquals(want, got, "entries below " + received);
        for (String rel : want) {
            Path a = source.resolve(rel);
            Path b = received.resolve(rel);
            boolean link = Files.isSymbolicLink(a);
            assertEquals(link, Files.isSymbolicLink(b), "symlink-ness of " + rel);
            if (link) {
                assertEquals(Files.readSymbolicLink(a), Files.readSymbolicLink(b), "link target of " + rel);
                continue;
            }
            assertEquals(Files.isDirectory(a, LinkOption.NOFOLLOW_LINKS), Files.isDirectory(b, LinkOption.NOFOLLOW_LINKS),
                    "kind of " + rel);
            if (Files.isRegularFile(a, LinkOption.NOFOLLOW_LINKS)) {
                assertEquals(-1L, Files.mismatch(a, b), "content of " + rel);
            }
            assertEquals(Files.getPosixFilePermissions(a, LinkOption.NOFOLLOW_LINKS),
                    Files.getPosixFilePermissions(b, LinkOption.NOFOLLOW_LINKS), "mode of " + rel);
            assertEquals(mtimeNanos(a), mtimeNanos(b), "mtime (ns) of " + rel);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    /** Polls {@code check} until true or the deadline; returns its last value. */
    static boolean eventually(Duration d, java.util.function.BooleanSupplier check) throws InterruptedException {
        long deadline = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < deadline) {
            if (check.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return check.getAsBoolean();
    }

    static String str(Object o) {
        return o == null ? "null" : o instanceof Object[] a ? Arrays.toString(a) : o.toString();
    }
}
