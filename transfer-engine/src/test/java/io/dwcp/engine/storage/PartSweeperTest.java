package io.dwcp.engine.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The part-file sweeper on a real temporary root, on the native (openat2) and the portable path alike. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PartSweeperTest {
    private static final Duration AGE = Duration.ofDays(7);
    private static final FileTime OLD = FileTime.from(Instant.now().minus(Duration.ofDays(10)));

    @TempDir
    Path tmp;

    private static Path file(Path p, int size, FileTime mtime) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[size]);
        Files.setLastModifiedTime(p, mtime);
        return p;
    }

    private static Path old(Path p, int size) throws IOException {
        return file(p, size, OLD);
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void removesOldPartFilesOnlyAndNeverLeavesTheRoot(IoMode mode) throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path oldPart = old(root.resolve("a/b/old.img.dwcp-part"), 1000);
        Path oldTop = old(root.resolve("top.bin.dwcp-part"), 24);
        Path young = file(root.resolve("a/young.img.dwcp-part"), 10, FileTime.from(Instant.now()));
        Path plain = old(root.resolve("a/b/data.img"), 10);
        Path dirPart = Files.createDirectories(root.resolve("a/dir.dwcp-part"));
        Path inDirPart = old(dirPart.resolve("kept.txt"), 5);
        Files.setLastModifiedTime(dirPart, OLD);
        Path bare = old(root.resolve("a/.dwcp-part"), 5);
        Path outsidePart = old(outside.resolve("far.img.dwcp-part"), 7);
        Path viaLink = old(root.resolve("x/linked.img.dwcp-part"), 9);
        Files.createSymbolicLink(root.resolve("escape"), outside); // a link to a directory outside the root
        Files.createSymbolicLink(root.resolve("inner"), root.resolve("x")); // and one inside it
        Path linkPart = Files.createSymbolicLink(root.resolve("a/link.img.dwcp-part"), oldPart);
        Path twoNames = old(root.resolve("c/twice.bin"), 3);
        Path hardPart = Files.createLink(root.resolve("c/twice.bin.dwcp-part"), twoNames);
        Files.createFile(outside.resolve("marker"));
        Path tiny = old(root.resolve("a/tiny.dwcp-part"), 2);
        Path undo = old(root.resolve("c/inplace.img.dwcp-part"), 64);
        Files.write(undo, "DWCPUNDO".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                java.nio.file.StandardOpenOption.WRITE);
        Files.setLastModifiedTime(undo, OLD);

        PartSweeper.Result r;
        try (StorageRoot sr = StorageRoot.open(IoPaths.select(mode), root, 4096)) {
            r = new PartSweeper(sr, new ReceivingPaths(), AGE).sweep();
        }
        assertFalse(Files.exists(oldPart, LinkOption.NOFOLLOW_LINKS), "an old part file goes");
        assertFalse(Files.exists(oldTop, LinkOption.NOFOLLOW_LINKS), "an old part file in the root itself goes");
        assertFalse(Files.exists(viaLink, LinkOption.NOFOLLOW_LINKS), "found by its real path, not through the link");
        assertTrue(Files.exists(young), "a young part file stays");
        assertTrue(Files.exists(plain), "an old file that is no part file stays");
        assertTrue(Files.isDirectory(dirPart) && Files.exists(inDirPart), "a directory named like a part file stays");
        assertTrue(Files.exists(bare), "a bare .dwcp-part is no file's part");
        assertTrue(Files.exists(outsidePart), "a part file behind a symlinked directory is never reached");
        assertTrue(Files.isSymbolicLink(linkPart), "a link named like a part file is no regular file: it stays");
        assertTrue(Files.exists(hardPart) && Files.exists(twoNames), "a part file with two names stays");
        assertTrue(Files.exists(outside.resolve("marker")));
        assertFalse(Files.exists(tiny), "a part file shorter than an undo log's magic goes");
        assertTrue(Files.exists(undo), "an in-place undo log is the only way back to the old file: it stays");
        assertEquals(1, r.undoLogs(), r.toString());
        assertEquals(4, r.removed(), r.toString());
        assertEquals(1000 + 24 + 9 + 2, r.bytes(), r.toString());
        // root, a, a/b, a/dir.dwcp-part, x, c: the two links are not entered
        assertEquals(6, r.scannedDirs(), r.toString());
        assertEquals(0, r.errors(), r.toString());
        assertEquals(0, r.busy(), r.toString());
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void skipsAPartFileWhosePathATransferHolds(IoMode mode) throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path busy = old(root.resolve("d/busy.img.dwcp-part"), 100);
        Path free = old(root.resolve("d/free.img.dwcp-part"), 50);
        ReceivingPaths receiving = new ReceivingPaths();
        Object transfer = new Object();
        receiving.claim(io.dwcp.core.manifest.RelativePaths.partPath("d/busy.img"), "d/busy.img", transfer);
        try (StorageRoot sr = StorageRoot.open(IoPaths.select(mode), root, 4096)) {
            PartSweeper sweeper = new PartSweeper(sr, receiving, AGE);
            PartSweeper.Result r = sweeper.sweep();
            assertTrue(Files.exists(busy), "a transfer is writing it, however old it is");
            assertFalse(Files.exists(free));
            assertEquals(1, r.busy(), r.toString());
            assertEquals(1, r.removed(), r.toString());

            receiving.release(transfer);
            r = sweeper.sweep();
            assertFalse(Files.exists(busy), "released and still old: nobody resumed it");
            assertEquals(1, r.removed(), r.toString());
        }
    }

    @Test
    void walksADeepTreeIteratively() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path dir = root;
        for (int i = 0; i < 300; i++) {
            dir = dir.resolve("d");
        }
        Path deep = old(dir.resolve("deep.dwcp-part"), 1);
        try (StorageRoot sr = StorageRoot.open(IoPaths.select(IoMode.AUTO), root, 4096)) {
            PartSweeper.Result r = new PartSweeper(sr, new ReceivingPaths(), AGE).sweep();
            assertEquals(301, r.scannedDirs(), r.toString());
            assertEquals(1, r.removed(), r.toString());
        }
        assertFalse(Files.exists(deep));
    }

    @Test
    void aClaimWaitsWhileTheSweeperHoldsThePathFree() throws Exception {
        ReceivingPaths receiving = new ReceivingPaths();
        Object transfer = new Object();
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean claimedDuring = new AtomicBoolean();
        Thread[] claimer = new Thread[1];
        assertTrue(receiving.ifUnclaimed("a/f", () -> {
            claimer[0] = Thread.ofPlatform().start(() -> {
                started.countDown();
                try {
                    receiving.claim("a/f", "a/f", transfer);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            try {
                started.await();
                claimer[0].join(300);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            claimedDuring.set(!claimer[0].isAlive());
        }));
        assertFalse(claimedDuring.get(), "a claim of the path must wait for the sweeper's action");
        claimer[0].join(5000);
        assertFalse(claimer[0].isAlive());
        assertFalse(receiving.ifUnclaimed("a/f", () -> {
            throw new AssertionError("a held path runs nothing");
        }));
        assertThrows(io.dwcp.core.DwcpException.class, () -> receiving.claim("a/f", "a/f", new Object()));
    }

    @Test
    void sweepsInTheBackgroundAtStartAndStopsOnClose() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path part = old(root.resolve("bg.dwcp-part"), 1);
        try (StorageRoot sr = StorageRoot.open(IoPaths.select(IoMode.AUTO), root, 4096)) {
            PartSweeper sweeper = new PartSweeper(sr, new ReceivingPaths(), AGE);
            sweeper.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (Files.exists(part) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(Files.exists(part), "the first sweep runs at start");
            sweeper.close();
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("dwcp-part-sweep") && t.isAlive()), "the sweep thread ends");
        }
    }

    @Test
    void intervalIsAQuarterOfTheAgeAtLeastAnHour() {
        assertEquals(Duration.ofHours(42), PartSweeper.interval(Duration.ofDays(7)));
        assertEquals(Duration.ofHours(1), PartSweeper.interval(Duration.ofSeconds(1)));
        assertEquals(Duration.ofHours(1), PartSweeper.interval(Duration.ofHours(2)));
        assertEquals("7d", PartSweeper.format(Duration.ofDays(7)));
        assertEquals("42h", PartSweeper.format(Duration.ofHours(42)));
        assertEquals("90s", PartSweeper.format(Duration.ofSeconds(90)));
        assertThrows(IllegalArgumentException.class, () -> new PartSweeper(null, new ReceivingPaths(), Duration.ZERO));
    }
}
