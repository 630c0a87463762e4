package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import io.dwcp.core.frame.Codec;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faults injected between a real CLI and a real server by a proxy on 127.0.0.2 that listens on the server's own
 * port numbers: the client dials 127.0.0.2:CTRL, and since data streams go to the dialled host on the announced
 * data port, they pass through the proxy too, where DATA frames are damaged on purpose.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FaultInjectionTest {
    private static final int MIB = 1 << 20;
    private static final InetAddress LOOPBACK = FaultProxy.LOOPBACK;
    private static final InetAddress ALT = FaultProxy.ALT;

    @TempDir
    static Path root;
    private static ServerProcess server;
    /** A server that splices big RAW payloads into the part file and checks them there ({@code --io splice}). */
    private static ServerProcess spliceServer;
    private final List<AutoCloseable> closeAfter = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        FaultProxy.assumeAltBindable("the fault-injection proxy");
        server = ServerProcess.serve(root);
        spliceServer = ServerProcess.serve(root, "--io", "splice");
    }

    /** The server for a receive path: {@code auto} (into memory, then written) or {@code splice}. */
    private static ServerProcess serverFor(String io) {
        return io.equals("splice") ? spliceServer : server;
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
        if (spliceServer != null) {
            spliceServer.close();
        }
    }

    @AfterEach
    void closeProxies() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        closeAfter.clear();
    }

    /** Proxies on 127.0.0.2 at {@code s}'s port numbers; DATA frames go through {@code hook}. */
    private String proxied(ServerProcess s, FaultProxy.FrameHook hook, String dest) throws IOException {
        IOException bindFailure = null;
        try {
            closeAfter.add(new FaultProxy(ALT, s.controlPort, new InetSocketAddress(LOOPBACK, s.controlPort), null));
            closeAfter.add(new FaultProxy(ALT, s.dataPort, new InetSocketAddress(LOOPBACK, s.dataPort), hook));
        } catch (IOException e) {
            bindFailure = e;
        }
        assumeTrue(bindFailure == null, "precondition: the proxy must bind 127.0.0.2 at the server's port numbers ("
                + bindFailure + ")");
        return "127.0.0.2:" + s.controlPort + "/" + dest;
    }

    /** What the proxy does to DATA frames carrying a RAW payload (the only ones it counts). */
    enum Fault {
        /** Flip one payload byte of the Nth frame: the receiver's CRC check catches it, the block is sent again. */
        FLIP_ONCE,
        /** Flip a payload byte in every copy of the Nth frame's block: retries run out. */
        FLIP_EVERY_COPY,
        /** Flip a payload byte and fix the CRC: only the whole-file digest can catch it. */
        FLIP_AND_FIX_CRC,
        /** Reconstructed length off by one. */
        BAD_LENGTH,
        /** An unknown codec byte. */
        BAD_CODEC,
        /** File id of a file that is not in the offer. */
        BAD_FILE_ID,
        /** Cut the data connection abruptly. */
        CUT
    }

    static final class Corrupter implements FaultProxy.FrameHook {
        private static final int H = FrameDescriptor.PREFIX_LENGTH;
        final Fault fault;
        final int nth;
        final AtomicInteger frames = new AtomicInteger();
        final AtomicInteger corrupted = new AtomicInteger();
        private long targetFileAndOffset = Long.MIN_VALUE;

        Corrupter(Fault fault, int nth) {
            this.fault = fault;
            this.nth = nth;
        }

        @Override
        public synchronized boolean onFrame(byte[] f) {
            ByteBuffer b = ByteBuffer.wrap(f);
            if ((f[FrameDescriptor.TYPE_OFFSET] & 0xff) != FrameType.DATA.code()
                    || f.length < DataFrameDescriptor.FRAME_HEADER_LENGTH) {
                return true;
            }
            int codec = f[H + DataFrameDescriptor.CODEC_OFFSET] & 0xff;
            int wire = b.getInt(H + DataFrameDescriptor.WIRE_LENGTH_OFFSET);
            if (codec != Codec.RAW.code() || wire <= 0) {
                return true;
            }
            long key = ((long) b.getInt(H + DataFrameDescriptor.FILE_ID_OFFSET) << 40)
                    ^ b.getLong(H + DataFrameDescriptor.FILE_OFFSET_OFFSET);
            int k = frames.incrementAndGet();
            if (k == nth) {
                targetFileAndOffset = key;
            } else if (!(fault == Fault.FLIP_EVERY_COPY && key == targetFileAndOffset)) {
                return true;
            }
            corrupted.incrementAndGet();
            int payload = DataFrameDescriptor.FRAME_HEADER_LENGTH;
            switch (fault) {
                case FLIP_ONCE, FLIP_EVERY_COPY -> f[payload + Math.min(100, wire - 1)] ^= 0x20;
                case FLIP_AND_FIX_CRC -> {
                    f[payload + Math.min(100, wire - 1)] ^= 0x20;
                    CRC32C crc = new CRC32C();
                    crc.update(f, payload, wire);
                    b.putInt(H + DataFrameDescriptor.CRC_OFFSET, (int) crc.getValue());
                }
                case BAD_LENGTH -> b.putInt(H + DataFrameDescriptor.RECONSTRUCTED_LENGTH_OFFSET,
                        b.getInt(H + DataFrameDescriptor.RECONSTRUCTED_LENGTH_OFFSET) - 1);
                case BAD_CODEC -> f[H + DataFrameDescriptor.CODEC_OFFSET] = 0x7f;
                case BAD_FILE_ID -> b.putInt(H + DataFrameDescriptor.FILE_ID_OFFSET, 1_000_000);
                case CUT -> {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Watches a final name while a transfer runs: whenever a file is there (checked each time its identity, size or
     * mtime changes), its bytes must equal one of the allowed versions.
     */
    static final class FinalNameWatcher implements AutoCloseable {
        private final Path path;
        private final List<Path> allowed;
        private final List<String> violations = new CopyOnWriteArrayList<>();
        private final AtomicInteger versionsSeen = new AtomicInteger();
        private final Thread thread;
        private volatile boolean stop;

        FinalNameWatcher(Path path, Path... allowed) {
            this.path = path;
            this.allowed = List.of(allowed);
            this.thread = Thread.ofPlatform().daemon().name("final-name-watcher").start(this::watch);
        }

        private Object lastKey;

        private void check() {
            try {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                Object key = List.of(Objects.toString(a.fileKey()), a.size(), a.lastModifiedTime().toMillis());
                if (!key.equals(lastKey)) {
                    lastKey = key;
                    versionsSeen.incrementAndGet();
                    boolean ok = false;
                    for (Path p : allowed) {
                        ok |= Files.mismatch(path, p) == -1;
                    }
                    if (!ok) {
                        violations.add("unexpected content under " + path + " (size " + a.size() + ")");
                    }
                }
            } catch (NoSuchFileException gone) {
                lastKey = null;
            } catch (IOException e) {
                lastKey = null; // replaced while we looked: look again
            }
        }

        private void watch() {
            while (!stop) {
                check();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            check(); // and once more, for the version the transfer ended with
            assertEquals(List.of(), violations, "something wrong was visible under the final name");
        }

        /** Runs {@code send} while watching {@code finalName}; only {@code allowed} contents may ever appear there. */
        static Result during(Path finalName, List<Path> allowed, java.util.concurrent.Callable<Result> send)
                throws Exception {
            try (FinalNameWatcher w = new FinalNameWatcher(finalName, allowed.toArray(Path[]::new))) {
                Result r = send.call();
                assertTrue(w.thread.isAlive(), "watcher died");
                return r;
            }
        }
    }

    /** A random file standing as the receiver's current version of {@code dir/name}, kept in src for comparison. */
    private static Path oldVersionAt(Path src, Path dir, String name, long size, long seed) throws IOException {
        Path old = Harness.randomFile(src.resolve("old-version"), size, seed);
        Files.copy(old, dir.resolve(name));
        return old;
    }

    private static Path dest(String name) throws IOException {
        return Files.createDirectories(root.resolve(name));
    }

    /**
     * A failed transfer leaves no part file but a resumable one: one with verified blocks keeps them, followed by its
     * journal (magic "DWCPJRNL"), for the next send of the file; any other goes.
     */
    private static void assertNoPartFiles(Path dir) throws InterruptedException {
        assertTrue(Harness.eventually(Duration.ofSeconds(5), () -> {
            try {
                for (String p : Harness.partFiles(dir)) {
                    byte[] b = Files.readAllBytes(dir.resolve(p));
                    if (!new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).contains("DWCPJRNL")) {
                        return false;
                    }
                }
                return true;
            } catch (IOException e) {
                return false;
            }
        }), () -> "part files without a journal left in " + dir);
    }

    private static void assertServerStillServes(Path src, String dest) throws Exception {
        assertServerStillServes(server, src, dest);
    }

    private static void assertServerStillServes(ServerProcess server, Path src, String dest) throws Exception {
        assertTrue(server.alive(), "server process died:\n" + server.log());
        Result ok = Harness.send(List.of("-P", "2"), List.of(src), server.target(dest));
        ok.assertExit(0);
        assertEquals(-1L, Files.mismatch(src, root.resolve(dest).resolve(src.getFileName().toString())),
                "a normal transfer after the fault");
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "splice"})
    void aFlippedPayloadByteIsNackedAndTheBlockSentAgain(String io, @TempDir Path src) throws Exception {
        ServerProcess server = serverFor(io);
        Path f = Harness.randomFile(src.resolve("flip.bin"), 8L * MIB, 41);
        Path dir = dest("flip-" + io);
        Path old = oldVersionAt(src, dir, "flip.bin", 8L * MIB, 42);
        Corrupter c = new Corrupter(Fault.FLIP_ONCE, 3);
        String target = proxied(server, c, "flip-" + io);
        String logBefore = server.log();
        Result r = FinalNameWatcher.during(dir.resolve("flip.bin"), List.of(old, f),
                () -> Harness.send(List.of("-P", "2", "--compress", "off"), List.of(f), target));
        assertEquals(1, c.corrupted.get(), "the proxy must have damaged exactly one frame");
        r.assertExit(0);
        assertEquals(Boolean.TRUE, r.json().get("verified"), r::toString);
        assertTrue(r.num("wire_bytes") >= 9L * MIB, "the damaged block must have been sent twice\n" + r);
        assertEquals(-1L, Files.mismatch(f, dir.resolve("flip.bin")));
        String log = server.log().substring(logBefore.length());
        assertTrue(log.contains("bad-crc"), "the server must have rejected the block:\n" + log);
        assertNoPartFiles(dir);
        if (ioPathKnown()) {
            assertEquals(io.equals("splice"), logBefore.contains("+splice") || logBefore.contains("=splice"),
                    "the " + io + " server must say whether it splices:\n" + logBefore);
        }
    }

    /** Whether the servers' start-up line names their real I/O path (Linux, native calls usable). */
    private static boolean ioPathKnown() {
        return io.dwcp.core.linux.LinuxNative.available() && !server.log().contains("io_path=portable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "splice"})
    void aBlockDamagedOnEveryCopyFailsVerificationAndNothingReachesTheFinalName(String io, @TempDir Path src)
            throws Exception {
        ServerProcess server = serverFor(io);
        Path f = Harness.randomFile(src.resolve("always.bin"), 6L * MIB, 43);
        Path dir = dest("always-" + io);
        Corrupter c = new Corrupter(Fault.FLIP_EVERY_COPY, 2);
        String target = proxied(server, c, "always-" + io);
        Result r = FinalNameWatcher.during(dir.resolve("always.bin"), List.of(),
                () -> Harness.send(List.of("-P", "2", "--compress", "off"), List.of(f), target));
        assertTrue(c.corrupted.get() >= 2, "the proxy must have damaged every copy (" + c.corrupted + ")");
        r.assertExit(3);
        assertEquals(Boolean.FALSE, r.json().get("verified"), r::toString);
        assertTrue(String.valueOf(r.json().get("error")).contains("corrupted"), r::toString);
        assertFalse(Files.exists(dir.resolve("always.bin"), LinkOption.NOFOLLOW_LINKS), "no file under the final name");
        assertNoPartFiles(dir);
        assertServerStillServes(server, f, "always-after-" + io);
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "splice"})
    void damageWithAMatchingCrcIsCaughtByTheWholeFileDigest(String io, @TempDir Path src) throws Exception {
        ServerProcess server = serverFor(io);
        Path f = Harness.randomFile(src.resolve("sneaky.bin"), 5L * MIB + 3, 44);
        Path dir = dest("sneaky-" + io);
        Path old = oldVersionAt(src, dir, "sneaky.bin", 5L * MIB + 3, 45);
        Corrupter c = new Corrupter(Fault.FLIP_AND_FIX_CRC, 4);
        String target = proxied(server, c, "sneaky-" + io);
        // --delta off: every changed block goes whole (RAW), so the damaged frame is the 4th RAW one whatever the
        // timing; refined blocks travel as pages, whose CRC covers the rebuilt block, not what the proxy sees.
        Result r = FinalNameWatcher.during(dir.resolve("sneaky.bin"), List.of(old),
                () -> Harness.send(List.of("-P", "2", "--compress", "off", "--delta", "off"), List.of(f), target));
        assertEquals(1, c.corrupted.get());
        r.assertExit(3);
        assertEquals(Boolean.FALSE, r.json().get("verified"), r::toString);
        assertTrue(r.json().get("failed_files").toString().contains("digest-mismatch"), r::toString);
        assertEquals(-1L, Files.mismatch(old, dir.resolve("sneaky.bin")), "the old version must be untouched");
        assertNoPartFiles(dir);
        assertServerStillServes(server, f, "sneaky-after-" + io);
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"BAD_LENGTH", "BAD_CODEC", "BAD_FILE_ID"})
    void aDamagedHeaderFailsTheTransferClearlyAndTheServerKeepsServing(Fault fault, @TempDir Path src) throws Exception {
        Path f = Harness.randomFile(src.resolve("hdr.bin"), 6L * MIB, 46);
        String name = "hdr-" + fault.name().toLowerCase();
        Path dir = dest(name);
        Path old = oldVersionAt(src, dir, "hdr.bin", 6L * MIB, 47);
        Corrupter c = new Corrupter(fault, 3);
        String target = proxied(server, c, name);
        String logBefore = server.log();
        Result r = FinalNameWatcher.during(dir.resolve("hdr.bin"), List.of(old),
                // One stream: with several, a racing second abort in TransferSession can report a consequence
                // ("write-failed detail=null") instead of the cause (reported as a bug).
                () -> Harness.send(List.of("-P", "1", "--compress", "off"), List.of(f), target));
        assertEquals(1, c.corrupted.get());
        r.assertExit(2);
        String error = String.valueOf(r.json().get("error"));
        assertTrue(error.contains("frame=data"), "the error must say what was wrong:\n" + r);
        String log = server.log().substring(logBefore.length());
        assertTrue(log.contains("stream-closed frame=data"), "the server must log the cause:\n" + log);
        assertEquals(-1L, Files.mismatch(old, dir.resolve("hdr.bin")), "the old version must be untouched");
        assertNoPartFiles(dir);
        assertServerStillServes(f, name);
    }

    @Test
    void aDataConnectionCutMidTransferFailsCleanly(@TempDir Path src) throws Exception {
        Path f = Harness.randomFile(src.resolve("cut.bin"), 8L * MIB, 48);
        Path dir = dest("cut");
        Path old = oldVersionAt(src, dir, "cut.bin", 8L * MIB, 49);
        Corrupter c = new Corrupter(Fault.CUT, 3);
        String target = proxied(server, c, "cut");
        Result r = FinalNameWatcher.during(dir.resolve("cut.bin"), List.of(old),
                () -> Harness.send(List.of("-P", "1", "--compress", "off"), List.of(f), target));
        assertEquals(1, c.corrupted.get());
        r.assertExit(2);
        assertNotNull(r.json().get("error"), r::toString);
        assertTrue(r.took().toSeconds() < 30, "the client must notice promptly, took " + r.took());
        assertEquals(-1L, Files.mismatch(old, dir.resolve("cut.bin")));
        assertNoPartFiles(dir);
        assertServerStillServes(f, "cut");
    }

    @Test
    void theServerDyingMidTransferFailsTheClientPromptly(@TempDir Path src, @TempDir Path root2) throws Exception {
        Path f = Harness.randomFile(src.resolve("dies.bin"), 16L * MIB, 50);
        try (ServerProcess doomed = ServerProcess.serve(root2)) {
            AtomicInteger frames = new AtomicInteger();
            String target = proxied(doomed, frame -> {
                if ((frame[FrameDescriptor.TYPE_OFFSET] & 0xff) == FrameType.DATA.code() && frames.incrementAndGet() == 4) {
                    doomed.process.destroyForcibly(); // kill -9, mid-transfer
                    try {
                        doomed.process.waitFor(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return true;
            }, "");
            Result r = Harness.send(List.of("-P", "2", "--compress", "off"), List.of(f), target);
            assertTrue(frames.get() >= 4, "the server must have been killed mid-transfer");
            r.assertExit(2);
            assertNotNull(r.json().get("error"), r::toString);
            assertTrue(r.took().toSeconds() < 30, "the client must notice promptly, took " + r.took());
        }
        assertFalse(Files.exists(root2.resolve("dies.bin")), "no file under the final name");
    }

    @Test
    void aPeerThatClosesAtOnceFailsTheClientPromptly(@TempDir Path src) throws Exception {
        Path f = Files.writeString(src.resolve("x.txt"), "x");
        Thread t;
        try (ServerSocket rude = new ServerSocket(0, 8, LOOPBACK)) {
            t = Thread.ofPlatform().daemon().start(() -> {
                while (!rude.isClosed()) {
                    try (Socket s = rude.accept()) {
                        s.getOutputStream().flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            Result r = Harness.run(Duration.ofSeconds(30), List.of("send", "--json", "--no-progress", f.toString(),
                    "127.0.0.1:" + rude.getLocalPort()));
            r.assertExit(2);
            assertNotNull(r.json().get("error"), r::toString);
        }
        t.join(2000);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aPeerThatNeverAnswersFailsTheClientEventually(@TempDir Path src) throws Exception {
        Path f = Files.writeString(src.resolve("x.txt"), "x");
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 8, LOOPBACK)) {
            Thread.ofPlatform().daemon().start(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            long t0 = System.nanoTime();
            Result r = Harness.run(Duration.ofSeconds(45), List.of("send", "--json", "--no-progress", "--idle-timeout", "2",
                    f.toString(), "127.0.0.1:" + silent.getLocalPort()));
            r.assertExit(2);
            assertTrue(r.json().get("error").toString().contains("stalled"), r::toString);
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "the idle timeout applies to the handshake");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void nothingListeningFailsTheClientPromptly(@TempDir Path src) throws Exception {
        Path f = Files.writeString(src.resolve("x.txt"), "x");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            port = s.getLocalPort();
        }
        Result r = Harness.run(Duration.ofSeconds(30), List.of("send", "--json", "--no-progress", f.toString(),
                "127.0.0.1:" + port));
        r.assertExit(2);
        assertTrue(String.valueOf(r.json().get("error")).contains("refused"), r::toString);
    }
}
