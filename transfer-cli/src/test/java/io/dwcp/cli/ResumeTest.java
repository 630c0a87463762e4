package io.dwcp.cli;

import static io.dwcp.cli.Harness.partFiles;
import static io.dwcp.cli.Harness.randomFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume after a crash, with real processes: a send is held half way by a proxy (it passes a set number of DATA
 * frames, then holds the rest), then the sender or the server is killed with SIGKILL; the next send moves only
 * what the receiver's journal and part file prove missing, and nothing reaches the final name before its digest
 * matches.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResumeTest {
    private static final int MIB = 1 << 20;
    private static final long SIZE = 64L * MIB;
    /** DATA frames the proxy lets through before it holds the stream: a bit over half the file. */
    private static final int PASS = 36;
    private static InetAddress loopback;
    private static InetAddress alt;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void addresses() throws Exception {
        loopback = FaultProxy.LOOPBACK;
        alt = FaultProxy.ALT;
        FaultProxy.assumeAltBindable("the holding proxy");
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    /** Proxies on 127.0.0.2 at the server's ports; DATA frames after the first {@link #PASS} wait for {@code hold}. */
    private String holding(ServerProcess s, String dest, CountDownLatch hold) throws IOException {
        AtomicInteger frames = new AtomicInteger();
        FaultProxy.FrameHook hook = frame -> {
            if (frame[3] == 18 && frames.incrementAndGet() > PASS) { // 18: DATA
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    return false;
                }
                return false;
            }
            return true;
        };
        closeAfter.add(new FaultProxy(alt, s.controlPort, new InetSocketAddress(loopback, s.controlPort), null));
        closeAfter.add(new FaultProxy(alt, s.dataPort, new InetSocketAddress(loopback, s.dataPort), hook));
        return "127.0.0.2:" + s.controlPort + "/" + dest;
    }

    /** Starts a send through the holding proxy and waits until the receiver has most of what passed. */
    private Process sendUntilHeld(Path file, String target, Path part) throws Exception {
        return sendUntilHeld(file, target, part, List.of());
    }

    private Process sendUntilHeld(Path file, String target, Path part, List<String> options) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("send", "--json", "--no-progress", "--compress", "off"));
        args.addAll(options);
        args.addAll(List.of(file.toString(), target));
        Process p = Harness.start(args);
        closeAfter.add(() -> Harness.kill(p));
        assertTrue(Harness.eventually(Duration.ofSeconds(60), () -> allocated(part) >= (PASS - 2L) * MIB),
                "the receiver should hold the frames the proxy let through; part file: " + allocated(part));
        Thread.sleep(300); // the last blocks let through are verified and counted
        return p;
    }

    private static long allocated(Path p) {
        try {
            return Files.exists(p) ? Harness.allocated(p) : 0;
        } catch (Exception | AssertionError e) {
            return 0; // gone between the look and the stat
        }
    }

    private static Result resend(Path file, ServerProcess s, String dest) throws Exception {
        return Harness.send(List.of("--compress", "off"), List.of(file), s.target(dest));
    }

    private static void assertResumed(Result r, Path file, Path received, String why) throws IOException {
        r.assertExit(0);
        assertEquals(Boolean.TRUE, r.json().get("verified"), r::toString);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(received));
        assertTrue(r.num("wire_bytes") < SIZE / 2, why + ": only what was missing moves\n" + r);
        assertTrue(r.num("blocks_unchanged") >= PASS - 8, why + ": the journaled blocks stay\n" + r);
    }

    @Test
    void aKilledSenderIsResumed(@TempDir Path src, @TempDir Path root) throws Exception {
        try (ServerProcess s = ServerProcess.serve(root)) {
            Path file = randomFile(src.resolve("big.bin"), SIZE, 31);
            Path received = root.resolve("a/big.bin");
            Path part = root.resolve("a/big.bin.dwcp-part");
            CountDownLatch hold = new CountDownLatch(1);
            Process sender = sendUntilHeld(file, holding(s, "a", hold), part);
            sender.destroyForcibly().waitFor();
            hold.countDown();
            assertTrue(Harness.eventually(Duration.ofSeconds(10), () -> Files.exists(part) && partHasJournal(part)),
                    "the interrupted part file stays, with its journal after the data");
            assertFalse(Files.exists(received), "nothing under the final name before its digest matched");
            assertResumed(resend(file, s, "a"), file, received, "after the sender was killed");
            assertEquals(List.of(), partFiles(root), "no part file left");
        }
    }

    @Test
    void aKilledServerIsResumedAfterItsRestart(@TempDir Path src, @TempDir Path root) throws Exception {
        Path file = randomFile(src.resolve("big.bin"), SIZE, 32);
        Path received = root.resolve("b/big.bin");
        Path part = root.resolve("b/big.bin.dwcp-part");
        CountDownLatch hold = new CountDownLatch(1);
        ServerProcess doomed = ServerProcess.serve(root);
        closeAfter.add(doomed);
        Process sender = sendUntilHeld(file, holding(doomed, "b", hold), part);
        doomed.process.destroyForcibly().waitFor();
        hold.countDown();
        sender.waitFor(30, TimeUnit.SECONDS);
        assertFalse(Files.exists(received), "nothing under the final name before its digest matched");
        assertTrue(partHasJournal(part), "checkpoints wrote the journal while the server ran");
        try (ServerProcess s = ServerProcess.serve(root)) {
            assertResumed(resend(file, s, "b"), file, received, "after the server was killed");
        }
    }

    @Test
    void aCorruptJournalOrBlockIsNeverTrusted(@TempDir Path src, @TempDir Path root) throws Exception {
        try (ServerProcess s = ServerProcess.serve(root)) {
            Path file = randomFile(src.resolve("big.bin"), SIZE, 33);
            Path received = root.resolve("c/big.bin");
            Path part = root.resolve("c/big.bin.dwcp-part");

            // A journaled block whose bytes changed in the part file: that block alone is sent again.
            CountDownLatch hold = new CountDownLatch(1);
            sendUntilHeld(file, holding(s, "c", hold), part).destroyForcibly().waitFor();
            hold.countDown();
            assertTrue(Harness.eventually(Duration.ofSeconds(10), () -> partHasJournal(part)));
            try (RandomAccessFile f = new RandomAccessFile(part.toFile(), "rw")) {
                f.seek(3L * MIB + 5);
                f.write(f.read() ^ 0xff);
            }
            Result r = resend(file, s, "c");
            assertResumed(r, file, received, "with one journaled block corrupted");

            // A journal damaged by one byte: ignored, the file starts over, and still arrives right.
            Files.delete(received);
            close(); // the first proxies hold the server's port numbers on 127.0.0.2
            closeAfter.clear();
            CountDownLatch hold2 = new CountDownLatch(1);
            int aborted = count(s.log(), " aborted ");
            sendUntilHeld(file, holding(s, "c", hold2), part).destroyForcibly().waitFor();
            hold2.countDown();
            // The session writes the journal once more as it ends: damage it only after that.
            assertTrue(Harness.eventually(Duration.ofSeconds(10), () -> count(s.log(), " aborted ") > aborted),
                    s::log);
            assertTrue(partHasJournal(part));
            try (RandomAccessFile f = new RandomAccessFile(part.toFile(), "rw")) {
                f.seek(SIZE + 20);
                f.write(f.read() ^ 0x01);
            }
            Result again = resend(file, s, "c");
            again.assertExit(0);
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(received));
            assertTrue(again.num("wire_bytes") >= SIZE, "a damaged journal is not trusted\n" + again);
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** The part file is longer than the file: its journal follows the data. */
    private static boolean partHasJournal(Path part) {
        try {
            return Files.size(part) > SIZE;
        } catch (IOException e) {
            return false;
        }
    }

    /** The old version at the server, the new one at the client: 40 MiB of its 64 rewritten from 8 MiB on. */
    private static byte[] oldThenChanged(Path file) throws IOException {
        byte[] old = Files.readAllBytes(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(8L * MIB);
            f.write(Harness.random(77, 40 * MIB));
        }
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(file).toMillis() + 10_000));
        return old;
    }

    @Test
    void anInPlaceChangeCutShortPutsTheOldFileBack(@TempDir Path src, @TempDir Path root) throws Exception {
        try (ServerProcess s = ServerProcess.serve(root)) {
            Path file = randomFile(src.resolve("img.bin"), SIZE, 34);
            Path received = root.resolve("d/img.bin");
            resend(file, s, "d").assertExit(0);
            byte[] old = oldThenChanged(file);
            long oldMtime = Files.getLastModifiedTime(received).toMillis();
            Object inode = Files.getAttribute(received, "unix:ino");
            CountDownLatch hold = new CountDownLatch(1);
            int aborted = count(s.log(), " aborted ");
            Process p = Harness.start(List.of("send", "--json", "--no-progress", "--compress", "off", "--delta", "off",
                    "--inplace", file.toString(), holding(s, "d", hold)));
            closeAfter.add(() -> Harness.kill(p));
            // The first blocks are written in place (the undo log exists), then the proxy holds the rest; the sender
            // dies.
            Path log = root.resolve("d/img.bin.dwcp-part");
            assertTrue(Harness.eventually(Duration.ofSeconds(60), () -> Files.exists(log)), s::log);
            Thread.sleep(500);
            p.destroyForcibly().waitFor();
            hold.countDown();
            assertTrue(Harness.eventually(Duration.ofSeconds(10), () -> count(s.log(), " aborted ") > aborted), s::log);
            assertTrue(Harness.eventually(Duration.ofSeconds(5), () -> {
                try {
                    return partFiles(root).isEmpty();
                } catch (IOException e) {
                    return false;
                }
            }), "the undo log goes once the old bytes are back");
            assertArrayEquals(old, Files.readAllBytes(received), "the old version, byte for byte");
            assertEquals(oldMtime, Files.getLastModifiedTime(received).toMillis());
            assertEquals(inode, Files.getAttribute(received, "unix:ino"), "changed in place: the same inode");
            Result r = Harness.send(List.of("--inplace"), List.of(file), s.target("d"));
            r.assertExit(0);
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(received));
            assertEquals(inode, Files.getAttribute(received, "unix:ino"));
            assertTrue(r.num("wire_bytes") < 44L * MIB, "only the changed blocks travel\n" + r);
        }
    }

    @Test
    void aServerKilledDuringAnInPlaceChangeRollsItBackBeforeTheNextSend(@TempDir Path src, @TempDir Path root)
            throws Exception {
        Path file = randomFile(src.resolve("img.bin"), SIZE, 35);
        Path received = root.resolve("e/img.bin");
        byte[] old;
        try (ServerProcess s = ServerProcess.serve(root)) {
            resend(file, s, "e").assertExit(0);
            old = oldThenChanged(file);
        }
        ServerProcess doomed = ServerProcess.serve(root);
        closeAfter.add(doomed);
        CountDownLatch hold = new CountDownLatch(1);
        Process p = Harness.start(List.of("send", "--json", "--no-progress", "--compress", "off", "--delta", "off",
                "--inplace", file.toString(), holding(doomed, "e", hold)));
        closeAfter.add(() -> Harness.kill(p));
        assertTrue(Harness.eventually(Duration.ofSeconds(30), () -> {
            try {
                return !java.util.Arrays.equals(old, Files.readAllBytes(received));
            } catch (IOException e) {
                return false;
            }
        }), "blocks are being written in place");
        Thread.sleep(300);
        doomed.process.destroyForcibly().waitFor();
        hold.countDown();
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(List.of("e/img.bin.dwcp-part"), partFiles(root), "the undo log survives the crash");
        try (ServerProcess s = ServerProcess.serve(root)) {
            Result r = Harness.send(List.of("--inplace"), List.of(file), s.target("e"));
            r.assertExit(0);
            assertEquals(Boolean.TRUE, r.json().get("verified"), r::toString);
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(received));
            assertEquals(List.of(), partFiles(root));
        }
    }

    @Test
    void aKilledSenderOfThreeStreamsIsResumed(@TempDir Path src, @TempDir Path root) throws Exception {
        try (ServerProcess s = ServerProcess.serve(root)) {
            Path file = randomFile(src.resolve("big.bin"), SIZE, 36);
            Path received = root.resolve("f/big.bin");
            Path part = root.resolve("f/big.bin.dwcp-part");
            CountDownLatch hold = new CountDownLatch(1);
            int aborted = count(s.log(), " aborted ");
            sendUntilHeld(file, holding(s, "f", hold), part, List.of("-P", "3")).destroyForcibly().waitFor();
            hold.countDown();
            assertTrue(Harness.eventually(Duration.ofSeconds(10), () -> count(s.log(), " aborted ") > aborted), s::log);
            Result r = Harness.send(List.of("--compress", "off", "-P", "3"), List.of(file), s.target("f"));
            assertResumed(r, file, received, "three streams, the sender killed");
        }
    }

    @Test
    void anInterruptedPageDeltaResumesRefiningTheBlocksStillMissing(@TempDir Path src, @TempDir Path root)
            throws Exception {
        try (ServerProcess s = ServerProcess.serve(root)) {
            Path file = randomFile(src.resolve("vm.img"), SIZE, 38);
            Path received = root.resolve("h/vm.img");
            Path part = root.resolve("h/vm.img.dwcp-part");
            resend(file, s, "h").assertExit(0);
            // Two pages of every block change: every block is refined, and only its pages travel.
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                for (long b = 0; b < SIZE / MIB; b++) {
                    f.seek(b * MIB + 4096 * (b % 200));
                    f.write(Harness.random(100 + (int) b, 8192));
                }
            }
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
                    Files.getLastModifiedTime(file).toMillis() + 10_000));
            CountDownLatch hold = new CountDownLatch(1);
            int aborted = count(s.log(), " aborted ");
            Process p = Harness.start(List.of("send", "--json", "--no-progress", "--compress", "off", file.toString(),
                    holding(s, "h", hold)));
            closeAfter.add(() -> Harness.kill(p));
            assertTrue(Harness.eventually(Duration.ofSeconds(60), () -> count(s.log(), " offer ") > 1
                    && Files.exists(part)), s::log);
            Thread.sleep(1500); // 36 refined blocks pass the proxy and land; the other 28 are held
            p.destroyForcibly().waitFor();
            hold.countDown();
            assertTrue(Harness.eventually(Duration.ofSeconds(10), () -> count(s.log(), " aborted ") > aborted), s::log);
            assertTrue(partHasJournal(part), "the interrupted part file keeps its journal");
            Result r = resend(file, s, "h");
            r.assertExit(0);
            assertEquals(Boolean.TRUE, r.json().get("verified"), r::toString);
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(received));
            // 28 changed blocks were still missing: refined, they are 28 x 8 KiB of pages; whole, 28 MiB.
            assertTrue(r.num("pages_sent") > 0 && r.num("pages_sent") <= 2L * (SIZE / MIB), r::toString);
            assertTrue(r.num("wire_bytes") < 4L * MIB, "the missing blocks are refined, not sent whole\n" + r);
        }
    }

    @Test
    void anInterruptedDeltaTransferResumesWithoutSendingItsUnchangedBlocksAgain(@TempDir Path src, @TempDir Path root)
            throws Exception {
        try (ServerProcess s = ServerProcess.serve(root)) {
            Path file = randomFile(src.resolve("img.bin"), SIZE, 37);
            Path received = root.resolve("g/img.bin");
            Path part = root.resolve("g/img.bin.dwcp-part");
            resend(file, s, "g").assertExit(0);
            oldThenChanged(file); // 40 MiB of 64 rewritten: 24 MiB unchanged
            CountDownLatch hold = new CountDownLatch(1);
            int aborted = count(s.log(), " aborted ");
            Process p = Harness.start(List.of("send", "--json", "--no-progress", "--compress", "off", "--delta", "off",
                    file.toString(), holding(s, "g", hold)));
            closeAfter.add(() -> Harness.kill(p));
            // 36 changed blocks pass, the rest is held; the part file holds the basis copy and those blocks.
            assertTrue(Harness.eventually(Duration.ofSeconds(60), () -> count(s.log(), " offer ") > 1
                    && Files.exists(part)), s::log);
            Thread.sleep(1500);
            p.destroyForcibly().waitFor();
            hold.countDown();
            assertTrue(Harness.eventually(Duration.ofSeconds(10), () -> count(s.log(), " aborted ") > aborted), s::log);
            Result r = Harness.send(List.of("--compress", "off", "--delta", "off"), List.of(file), s.target("g"));
            r.assertExit(0);
            assertEquals(Boolean.TRUE, r.json().get("verified"), r::toString);
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(received));
            // About 36 changed blocks arrived before the kill; 24 were never changed: only the last few changed blocks
            // may travel again (without the basis copy in the journal, the 24 unchanged ones would too).
            assertTrue(r.num("wire_bytes") < 16L * MIB, "neither the unchanged blocks nor the arrived ones again\n" + r);
            assertTrue(r.num("blocks_unchanged") >= 50, "unchanged and arrived blocks are proven from the journal\n" + r);
        }
    }
}
