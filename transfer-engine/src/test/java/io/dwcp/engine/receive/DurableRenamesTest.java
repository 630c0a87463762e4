package io.dwcp.engine.receive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.manifest.Entry;
import io.dwcp.engine.storage.IncomingFile;
import io.dwcp.engine.storage.PartJournal;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DurableRenames} with real files below a real root and a counting syncer that also flushes for real: a tree
 * costs a few flushes, a file reaches its final name only after the flush and is reported only after its rename, a
 * lone file does not wait for COMMIT, a failed rename fails only its file, and files waiting when the session ends
 * keep resumable part files.
 */
class DurableRenamesTest {
    private static final int BS = 4096;
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    @TempDir
    Path dir;

    private StorageRoot root;
    private CountingSyncer syncer;
    private final Map<Integer, DwcpException> done = new ConcurrentHashMap<>();
    private final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    private DurableRenames renames;

    @BeforeEach
    void open() throws Exception {
        root = StorageRoot.open(IoPaths.select(IoMode.AUTO), dir, 4096);
        syncer = new CountingSyncer(DurableRenames.syncer(root));
    }

    @AfterEach
    void close() throws Exception {
        if (renames != null) {
            renames.close();
        }
        root.close();
    }

    /** Counts each kind of flush (and passes it on), and checks at each syncfs that no file is renamed early. */
    private final class CountingSyncer implements DurableRenames.Syncer {
        final DurableRenames.Syncer real;
        final AtomicInteger fileSystem = new AtomicInteger();
        final AtomicInteger files = new AtomicInteger();
        final AtomicInteger dirs = new AtomicInteger();
        volatile List<IncomingFile> watched = List.of();
        volatile CountDownLatch hold;

        CountingSyncer(DurableRenames.Syncer real) {
            this.real = real;
        }

        @Override
        public boolean syncFileSystem() throws DwcpException {
            awaitHold();
            fileSystem.incrementAndGet();
            checkNotRenamedBeforeFlush();
            real.syncFileSystem();
            return true;
        }

        @Override
        public void syncFile(IncomingFile f) throws DwcpException {
            awaitHold();
            files.incrementAndGet();
            if (f.state() == IncomingFile.State.VERIFIED && Files.exists(dir.resolve(f.finalPath()))) {
                problems.add(f.finalPath() + " under its final name before its flush");
            }
            real.syncFile(f);
        }

        @Override
        public void syncDirectory(String d) throws DwcpException {
            dirs.incrementAndGet();
            real.syncDirectory(d);
        }

        private void checkNotRenamedBeforeFlush() {
            for (IncomingFile f : watched) {
                if (f.state() == IncomingFile.State.VERIFIED && Files.exists(dir.resolve(f.finalPath()))) {
                    problems.add(f.finalPath() + " under its final name before its flush");
                }
            }
        }

        private void awaitHold() {
            CountDownLatch h = hold;
            if (h != null) {
                try {
                    h.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private DurableRenames renames(long maxWaitNanos) {
        renames = new DurableRenames("t", syncer, (f, error) -> {
            // FILE_DONE goes out here: the file must be under its final name by now
            if (error == null && (!Files.exists(dir.resolve(f.finalPath())) || Files.exists(dir.resolve(f.partPath())))) {
                problems.add(f.finalPath() + " reported before its rename");
            }
            if (done.putIfAbsent(f.id(), error == null ? NONE : error) != null) {
                problems.add(f.finalPath() + " reported twice");
            }
        }, maxWaitNanos);
        return renames;
    }

    private static final DwcpException NONE = new DwcpException(io.dwcp.core.ErrorCode.IO, "none");

    /** A file received whole and verified: {@link IncomingFile.State#VERIFIED}, waiting for its rename. */
    private IncomingFile verified(int id, String path, byte[] data) throws Exception {
        Path parent = dir.resolve(path).getParent();
        Files.createDirectories(parent);
        IncomingFile f = new IncomingFile(id, Entry.file(path, data.length, 0644, 1_700_000_000_000_000_000L), root,
                path, BS, null, 0);
        int n = FileBlocks.blockCount(data.length, BS);
        byte[] digests = new byte[n * 16];
        for (int i = 0; i < n; i++) {
            int length = FileBlocks.blockLength(data.length, BS, i);
            ByteBuffer b = ByteBuffer.allocateDirect(length).put(data, i * BS, length).flip();
            BlockDigests.digest(b, digests, i);
            f.accept((long) i * BS, MemorySegment.ofBuffer(b), b.remaining(), false);
        }
        assertTrue(f.expect(n, BlockDigests.fileDigest(digests, n, data.length)));
        assertTrue(f.verify());
        assertEquals(IncomingFile.State.VERIFIED, f.state());
        assertFalse(Files.exists(dir.resolve(path)));
        return f;
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private boolean eventually(long millis, java.util.function.BooleanSupplier ok) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            if (ok.getAsBoolean()) {
                return true;
            }
            Thread.sleep(2);
        }
        return ok.getAsBoolean();
    }

    @Test
    void aTreeOfAThousandFilesCostsAFewBatchFlushesNotOneEach() throws Exception {
        DurableRenames r = renames(DurableRenames.MAX_WAIT_NANOS);
        List<IncomingFile> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            all.add(verified(i, "tree/d" + (i % 20) + "/f" + i, bytes(100 + i, i)));
        }
        syncer.watched = all;
        for (IncomingFile f : all) {
            assertTrue(r.add(f));
        }
        r.flushSoon(); // the last file arrived: nothing else is receiving
        r.drain();
        assertEquals(1000, done.size());
        assertTrue(done.values().stream().allMatch(e -> e == NONE), done.toString());
        assertEquals(List.of(), problems);
        for (IncomingFile f : all) {
            assertEquals(IncomingFile.State.DONE, f.state());
            assertTrue(Files.exists(dir.resolve(f.finalPath())));
        }
        long batches = r.batches();
        assertTrue(batches >= 4 && batches <= 10, "1000 files at most 256 a batch: " + r.stats());
        assertEquals(0, syncer.files.get(), "big batches are flushed by syncfs, not file by file: " + r.stats());
        // one syncfs for the data of each batch, and one more for its 20 directories (more than 8)
        assertTrue(syncer.fileSystem.get() <= 2 * batches, r.stats());
        assertTrue(syncer.dirs.get() == 0, r.stats());
        try (var s = Files.list(dir.resolve("tree/d0"))) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(IncomingFile.PART_SUFFIX)));
        }
    }

    @Test
    void aFewFilesInOneDirectoryAreForcedEachAndTheirDirectoryOnce() throws Exception {
        DurableRenames r = renames(HOUR);
        List<IncomingFile> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.add(verified(i, "few/f" + i, bytes(5000, i)));
        }
        for (IncomingFile f : all) {
            r.add(f);
        }
        r.drain();
        assertEquals(3, done.size());
        assertEquals(List.of(), problems);
        assertEquals(0, syncer.fileSystem.get(), r.stats());
        assertEquals(3, syncer.files.get(), r.stats());
        assertEquals(1, syncer.dirs.get(), r.stats());
    }

    @Test
    void aLoneFileIsRenamedAfterTheLongestWaitWithoutCommit() throws Exception {
        DurableRenames r = renames(TimeUnit.MILLISECONDS.toNanos(30));
        IncomingFile f = verified(7, "lone.bin", bytes(20_000, 7));
        long t0 = System.nanoTime();
        r.add(f);
        assertTrue(eventually(5000, () -> done.containsKey(7)), r.stats());
        long took = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(took >= 25, "it waited for company first: " + took + " ms");
        assertEquals(IncomingFile.State.DONE, f.state());
        assertEquals(List.of(), problems);
    }

    @Test
    void aLoneBigFileGoesAtOnceByItsSize() throws Exception {
        DurableRenames r = renames(HOUR);
        // a sparse 300 MiB file: all-zero blocks of a fresh part file are holes, nothing is written
        int bs = 4 << 20;
        long size = 300L << 20;
        IncomingFile f = new IncomingFile(9, Entry.file("big.img", size, 0600, 1_700_000_000_000_000_000L), root,
                "big.img", bs, null, 0);
        int n = FileBlocks.blockCount(size, bs);
        ByteBuffer zeros = ByteBuffer.allocateDirect(bs);
        byte[] digests = new byte[n * 16];
        for (int i = 0; i < n; i++) {
            BlockDigests.digest(zeros.duplicate(), digests, i);
            f.accept((long) i * bs, MemorySegment.ofBuffer(zeros), zeros.remaining(), true);
        }
        assertTrue(f.expect(n, BlockDigests.fileDigest(digests, n, size)));
        assertTrue(f.verify());
        r.add(f);
        assertTrue(eventually(10_000, () -> done.containsKey(9)), "a batch of 256 MiB or more goes now: " + r.stats());
        assertEquals(size, Files.size(dir.resolve("big.img")));
        assertEquals(1, syncer.files.get(), "a lone file is forced by itself: " + r.stats());
    }

    @Test
    void nothingReceivingAnyMoreSendsTheBatchAtOnce() throws Exception {
        DurableRenames r = renames(HOUR);
        r.add(verified(1, "a", bytes(10, 1)));
        r.add(verified(2, "b", bytes(10, 2)));
        Thread.sleep(50);
        assertTrue(done.isEmpty(), "with an hour's wait and no trigger, the batch waits");
        r.flushSoon();
        assertTrue(eventually(5000, () -> done.size() == 2), r.stats());
        assertEquals(1, r.batches());
    }

    @Test
    void aFailedRenameFailsThatFileOnly() throws Exception {
        DurableRenames r = renames(HOUR);
        List<IncomingFile> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(verified(i, "r/f" + i, bytes(300, i)));
        }
        // something the part file cannot be renamed onto: a non-empty directory under file 4's final name
        Files.createDirectories(dir.resolve("r/f4/inside"));
        for (IncomingFile f : all) {
            r.add(f);
        }
        r.drain();
        assertEquals(10, done.size());
        for (int i = 0; i < 10; i++) {
            if (i == 4) {
                assertNotNull(done.get(4));
                assertTrue(done.get(4) != NONE && done.get(4).getMessage().contains("rename"), done.get(4).getMessage());
                assertEquals(IncomingFile.State.FAILED, all.get(4).state());
                assertFalse(Files.exists(dir.resolve(all.get(4).partPath())), "the failed file's part is removed");
            } else {
                assertEquals(NONE, done.get(i), "file " + i);
                assertTrue(Files.isRegularFile(dir.resolve("r/f" + i)));
            }
        }
    }

    @Test
    void filesWaitingWhenTheSessionEndsKeepResumableParts() throws Exception {
        DurableRenames r = renames(HOUR);
        syncer.hold = new CountDownLatch(1);
        int big = (int) IncomingFile.MIN_RESUME_SIZE + 5 * BS + 11;
        byte[] data = bytes(big, 3);
        // the first batch is held inside its flush; the second waits behind it
        IncomingFile first = verified(1, "first.bin", bytes(100, 1));
        r.add(first);
        r.flushSoon();
        assertTrue(eventually(5000, () -> syncer.hold.getCount() == 1 && first.state() == IncomingFile.State.VERIFIED));
        IncomingFile large = verified(2, "large.bin", data);
        IncomingFile small = verified(3, "small.bin", bytes(100, 3));
        r.add(large);
        r.add(small);
        // the session aborts: DurableRenames closes, then every file in flight is interrupted
        r.close();
        first.interrupt();
        large.interrupt();
        small.interrupt();
        syncer.hold.countDown();
        Thread.sleep(100);
        assertTrue(done.isEmpty(), "no FILE_DONE for interrupted files: " + done);
        for (String name : List.of("first.bin", "large.bin", "small.bin")) {
            assertFalse(Files.exists(dir.resolve(name)), name + " must not reach its final name");
        }
        assertFalse(Files.exists(dir.resolve(small.partPath())), "a small part is not worth keeping");
        Path part = dir.resolve(large.partPath());
        assertTrue(Files.exists(part), "a large verified part stays for a resume");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(part)));
        PartJournal.Verified v = PartJournal.verify(root, large.partPath(), large.entry(), BS, ByteBuffer.allocateDirect(BS));
        assertNotNull(v, "the part carries a valid journal");
        assertEquals(FileBlocks.blockCount(big, BS), v.count(), "every block is listed");
        assertFalse(r.add(verified(4, "late.bin", bytes(10, 4))), "an ended session takes no more files");
    }

    @Test
    void aTimelyDrainWithNothingQueuedReturnsAtOnce() throws Exception {
        DurableRenames r = renames(HOUR);
        long t0 = System.nanoTime();
        r.drain();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1));
        assertNull(done.get(0));
        assertEquals(0, r.batches());
    }
}
