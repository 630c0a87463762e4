package io.dwcp.engine.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.manifest.Entry;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncomingFileTest {
    private static final int BS = 4096;

    @TempDir
    Path dir;

    private StorageRoot root;

    @org.junit.jupiter.api.AfterEach
    void closeRoot() throws Exception {
        if (root != null) {
            root.close();
        }
    }

    /** A file received below {@code dir}, through the confined root of this machine's I/O path. */
    private IncomingFile incoming(int id, Entry e, Path target, byte[] basis, long basisSize) throws Exception {
        return incoming(id, e, target, basis, basisSize, BS);
    }

    private IncomingFile incoming(int id, Entry e, Path target, byte[] basis, long basisSize, int blockSize)
            throws Exception {
        if (root == null) {
            root = StorageRoot.open(IoPaths.select(IoMode.AUTO), dir, 4096);
        }
        return new IncomingFile(id, e, root, dir.relativize(target).toString(), blockSize, basis, basisSize);
    }

    private static byte[] fileDigest(byte[] data) {
        return StorageTestData.fileDigest(data, BS);
    }

    private static void deliver(IncomingFile f, byte[] data, int block) throws DwcpException {
        deliverAt(f, data, block, BS);
    }

    /**
     * Blocks reach storage in off-heap buffers (slabs, the decoder's scratch), as native I/O needs: here one from a
     * confined arena, freed once the block is stored (accept writes it before it returns).
     */
    private static void deliverAt(IncomingFile f, byte[] data, int block, int blockSize) throws DwcpException {
        int length = FileBlocks.blockLength(data.length, blockSize, block);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment copy = arena.allocate(Math.max(1, length)).asSlice(0, length);
            MemorySegment.copy(data, block * blockSize, copy, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, length);
            f.accept((long) block * blockSize, copy, length, false);
        }
    }

    /** Delivers a block of zeros as a ZERO frame would. */
    private static void deliverZero(IncomingFile f, byte[] data, int block) throws DwcpException {
        int zeroLength = FileBlocks.blockLength(data.length, BS, block);
        f.accept((long) block * BS, MemorySegment.ofBuffer(ByteBuffer.allocateDirect(zeroLength)), zeroLength, true);
    }

    @Test
    void zeroBlocksOfANewFileStayHolesAndTheFileKeepsItsLength() throws Exception {
        byte[] data = StorageTestData.random(4 * BS + 100, 5);
        Arrays.fill(data, BS, 3 * BS, (byte) 0); // blocks 1 and 2
        Arrays.fill(data, 4 * BS, data.length, (byte) 0); // the short last block: the length must still be set
        Path target = dir.resolve("sparse.bin");
        IncomingFile f = incoming(0, Entry.file("sparse.bin", data.length, 0644, 0), target, null, 0);
        deliver(f, data, 0);
        deliverZero(f, data, 1);
        deliverZero(f, data, 2);
        deliver(f, data, 3);
        deliverZero(f, data, 4);
        assertTrue(f.expect(5, fileDigest(data)));
        assertTrue(f.finish());
        // Content and length; that the holes are not allocated is checked end to end (EndToEndTest).
        assertArrayEquals(data, Files.readAllBytes(target));
    }

    @Test
    void zeroBlocksOverABasisCopyAreWrittenOut() throws Exception {
        byte[] old = StorageTestData.random(3 * BS, 6);
        Path target = dir.resolve("basis.bin");
        Files.write(target, old);
        byte[] data = old.clone();
        Arrays.fill(data, BS, 2 * BS, (byte) 0);
        IncomingFile f = incoming(0, Entry.file("basis.bin", data.length, 0644, 0), target,
                FileBlocks.digestAll(target, old.length, BS, ByteBuffer.allocate(BS), () -> { }), old.length);
        deliverZero(f, data, 1);
        assertTrue(f.expect(1, fileDigest(data)));
        assertTrue(f.finish());
        assertArrayEquals(data, Files.readAllBytes(target), "the old block 1 must not survive under the zeros");
    }

    @Test
    void blocksInAnyOrderThenDigestThenRename() throws Exception {
        byte[] data = StorageTestData.random(3 * BS + 17, 1);
        Path target = dir.resolve("f.bin");
        IncomingFile f = incoming(0, Entry.file("f.bin", data.length, 0640, 1_600_000_000_000_000_000L), target, null, 0);
        deliver(f, data, 3);
        deliver(f, data, 0);
        assertFalse(Files.exists(target), "nothing under the final name before verification");
        assertTrue(Files.exists(dir.resolve(f.partPath())));
        deliver(f, data, 2);
        deliver(f, data, 1);
        assertTrue(f.expect(4, fileDigest(data)));
        assertTrue(f.finish(), "the first caller does the work");
        assertFalse(f.finish(), "a second caller (the other thread that saw completion) must not report again");
        assertArrayEquals(data, Files.readAllBytes(target));
        assertFalse(Files.exists(dir.resolve(f.partPath())));
        assertEquals(1_600_000_000_000_000_000L, Files.getLastModifiedTime(target).to(java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    @Test
    void digestMismatchNeverReachesTheFinalName() throws Exception {
        byte[] data = StorageTestData.random(2 * BS, 2);
        Path target = dir.resolve("g.bin");
        Files.writeString(target, "old content");
        IncomingFile f = incoming(0, Entry.file("g.bin", data.length, 0644, 0), target, null, 0);
        deliver(f, data, 0);
        deliver(f, data, 1);
        byte[] wrong = fileDigest(StorageTestData.random(2 * BS, 3));
        f.expect(2, wrong);
        DwcpException e = assertThrows(DwcpException.class, f::finish);
        assertEquals(ErrorCode.VERIFY, e.code());
        assertEquals("old content", Files.readString(target));
        assertFalse(Files.exists(dir.resolve(f.partPath())));
    }

    @Test
    void unchangedBlocksComeFromTheBasis() throws Exception {
        byte[] old = StorageTestData.random(4 * BS, 4);
        byte[] now = old.clone();
        now[2 * BS + 5] ^= 1;
        Path target = dir.resolve("h.bin");
        Files.write(target, old);
        byte[] basis = FileBlocks.digestAll(target, old.length, BS, ByteBuffer.allocate(BS), () -> { });
        IncomingFile f = incoming(0, Entry.file("h.bin", now.length, 0644, 0), target, basis, old.length);
        deliver(f, now, 2);
        f.expect(1, fileDigest(now));
        f.finish();
        assertArrayEquals(now, Files.readAllBytes(target));
        assertFalse(f.identical());
    }

    @Test
    void aBasisWrittenAfterThePlanFailsTheFileInsteadOfMixingVersions() throws Exception {
        byte[] old = StorageTestData.random(4 * BS, 8);
        byte[] now = old.clone();
        now[BS + 3] ^= 1;
        Path target = dir.resolve("racy.bin");
        Files.write(target, old);
        byte[] basis = FileBlocks.digestAll(target, old.length, BS, ByteBuffer.allocate(BS), () -> { });
        IncomingFile f = incoming(0, Entry.file("racy.bin", now.length, 0644, 0), target, basis, old.length);
        f.basisSeen(root.stat("racy.bin", "racy.bin").orElseThrow());
        // Another writer changes block 3, which will not travel: its digest in the plan no longer holds.
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(target.toFile(), "rw")) {
            raf.seek(3L * BS + 9);
            raf.write(new byte[] {7, 7, 7});
        }
        DwcpException e = assertThrows(DwcpException.class, () -> deliver(f, now, 1));
        assertEquals(ErrorCode.VERIFY, e.code());
        assertTrue(e.getMessage().contains("reason=basis-changed"), e.getMessage());
        f.fail();
        byte[] there = Files.readAllBytes(target);
        assertEquals(7, there[3 * BS + 9], "the other writer's bytes stay under the final name, untouched by us");
        assertFalse(Files.exists(dir.resolve(f.partPath())));

        // The same file left alone since the plan goes through.
        Files.write(target, old);
        byte[] again = FileBlocks.digestAll(target, old.length, BS, ByteBuffer.allocate(BS), () -> { });
        IncomingFile g = incoming(1, Entry.file("racy.bin", now.length, 0644, 0), target, again, old.length);
        g.basisSeen(root.stat("racy.bin", "racy.bin").orElseThrow());
        deliver(g, now, 1);
        assertTrue(g.expect(1, fileDigest(now)));
        assertTrue(g.finish());
        assertArrayEquals(now, Files.readAllBytes(target));
    }

    @Test
    void aResumedPartHoldingEveryBlockIsRenamedIntoPlaceNotTakenForTheOldFile() throws Exception {
        // 4 MiB and more is journaled; the old version stays at the final name throughout.
        byte[] old = StorageTestData.random((int) IncomingFile.MIN_RESUME_SIZE + 3 * BS, 9);
        byte[] now = StorageTestData.random(old.length, 10);
        Path target = dir.resolve("r.bin");
        Files.write(target, old);
        Entry e = Entry.file("r.bin", now.length, 0644, 1_700_000_000_000_000_000L);
        byte[] basis = FileBlocks.digestAll(target, old.length, BS, ByteBuffer.allocate(BS), () -> { });
        IncomingFile first = incoming(0, e, target, basis, old.length);
        for (int b = 0; b < FileBlocks.blockCount(now.length, BS); b++) {
            deliver(first, now, b);
        }
        first.interrupt(); // every block arrived, the sender went away before its FILE_END: the part is kept
        assertTrue(Files.exists(dir.resolve(first.partPath())));

        PartJournal.Verified proven = PartJournal.verify(root, "r.bin" + IncomingFile.PART_SUFFIX, e, BS,
                ByteBuffer.allocateDirect(BS));
        assertTrue(proven != null && proven.count() == FileBlocks.blockCount(now.length, BS), "every block proven");
        IncomingFile again = IncomingFile.resuming(1, e, root, "r.bin", BS, proven);
        assertTrue(again.expect(0, fileDigest(now)), "nothing left to send");
        assertTrue(again.finish());
        assertFalse(again.identical(), "the proven blocks are the part's, not the file at the final name");
        assertArrayEquals(now, Files.readAllBytes(target), "the resumed part, not the old file, ends under the name");
        assertEquals(1_700_000_000_000_000_000L, Files.getLastModifiedTime(target).to(java.util.concurrent.TimeUnit.NANOSECONDS));
        assertFalse(Files.exists(dir.resolve(again.partPath())));
    }

    /**
     * A part file journaled in blocks of one size, resumed by a send with another (a send with --block-size cut
     * short, sent again without it): the new blocks wholly inside what the journal proves are carried over, digested
     * at the new size, so that work is kept; it was all sent again. A later journal leaves no tail of the old one.
     */
    @Test
    void aJournalOfAnotherBlockSizeIsCarriedOverToTheNewOne() throws Exception {
        // One scratch buffer for every check, as the planner has: freed when the test ends.
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment scratch = arena.allocate(8 * BS, 4096);
            java.util.function.IntFunction<ByteBuffer> buf = n -> scratch.asSlice(0, n).asByteBuffer();
            byte[] now = StorageTestData.random((int) IncomingFile.MIN_RESUME_SIZE + 5 * BS + 100, 11);
            Entry e = Entry.file("k.bin", now.length, 0644, 1_700_000_000_000_000_001L);
            int oldBs = 4 * BS;
            IncomingFile first = incoming(0, e, dir.resolve("k.bin"), null, 0, oldBs);
            int oldBlocks = FileBlocks.blockCount(now.length, oldBs);
            for (int b = 0; b < oldBlocks; b += 2) { // every other old block arrives
                deliverAt(first, now, b, oldBs);
            }
            first.interrupt();
            String part = "k.bin" + IncomingFile.PART_SUFFIX;
            for (int newBs : new int[] {BS, 8 * BS}) {
                PartJournal.Verified proven = PartJournal.verify(root, part, e, newBs, buf.apply(newBs));
                int blocks = FileBlocks.blockCount(now.length, newBs);
                int expected = 0;
                byte[] digest = new byte[BlockDigests.DIGEST_LENGTH];
                for (int j = 0; j < blocks; j++) {
                    long start = (long) j * newBs;
                    int length = FileBlocks.blockLength(now.length, newBs, j);
                    boolean inside = true;
                    for (long i = start / oldBs; i <= (start + length - 1) / oldBs; i++) {
                        inside &= i % 2 == 0;
                    }
                    if (inside) {
                        expected++;
                        BlockDigests.digest(ByteBuffer.wrap(now, (int) start, length), digest, 0);
                        assertTrue(proven != null && proven.has(j)
                                && BlockDigests.equalAt(digest, 0, proven.digests(), j),
                                "block " + j + " of " + newBs + " lies in proven bytes: carried over with its digest");
                    }
                }
                assertEquals(expected, proven == null ? 0 : proven.count(), "block size " + newBs);
                assertTrue(expected > 0 || newBs > 4 * BS, "the smaller size finds proven blocks: " + expected);
            }
            PartJournal.Verified proven = PartJournal.verify(root, part, e, BS, buf.apply(BS));
            IncomingFile again = IncomingFile.resuming(1, e, root, "k.bin", BS, proven);
            for (int b = 0; b < FileBlocks.blockCount(now.length, BS); b++) {
                if (!proven.has(b)) {
                    deliverAt(again, now, b, BS);
                }
            }
            again.interrupt(); // a second interruption: its journal, longer than the first, replaces it
            PartJournal.Verified later = PartJournal.verify(root, part, e, BS, buf.apply(BS));
            assertEquals(FileBlocks.blockCount(now.length, BS), later == null ? 0 : later.count(),
                    "all blocks proven now");
            // And back to bigger blocks: the shorter journal written then must not leave the longer one's tail behind.
            int bigBs = 8 * BS;
            PartJournal.Verified big = PartJournal.verify(root, part, e, bigBs, buf.apply(bigBs));
            try (var f = root.openPart(part, 0600, "k.bin")) {
                PartJournal.write(f, e, bigBs, big.have(), big.digests());
            }
            PartJournal.Verified last = PartJournal.verify(root, part, e, bigBs, buf.apply(bigBs));
            assertEquals(FileBlocks.blockCount(now.length, bigBs), last == null ? 0 : last.count(),
                    "the shorter journal is read back whole");
            assertEquals(now.length + PartJournal.length(FileBlocks.blockCount(now.length, bigBs)),
                    Files.size(dir.resolve(part)), "no tail of the longer journal");
        }
    }

    @Test
    void identicalBasisIsNotRewritten() throws Exception {
        byte[] data = StorageTestData.random(2 * BS + 1, 5);
        Path target = dir.resolve("i.bin");
        Files.write(target, data);
        byte[] basis = FileBlocks.digestAll(target, data.length, BS, ByteBuffer.allocate(BS), () -> { });
        IncomingFile f = incoming(0, Entry.file("i.bin", data.length, 0600, 1_234_567_891L), target, basis, data.length);
        assertTrue(f.expect(0, fileDigest(data)));
        f.finish();
        assertTrue(f.identical());
        assertFalse(Files.exists(dir.resolve(f.partPath())));
        assertEquals(1_234_567_891L, Files.getLastModifiedTime(target).to(java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    @Test
    void rejectsBlocksOutsideTheFileOrOfTheWrongLength() throws Exception {
        byte[] data = StorageTestData.random(BS + 10, 6);
        IncomingFile f = incoming(0, Entry.file("j", data.length, 0644, 0), dir.resolve("j"), null, 0);
        assertThrows(DwcpException.class, () -> f.accept(2L * BS, MemorySegment.ofArray(new byte[10]), 10, false));
        assertThrows(DwcpException.class, () -> f.accept(BS, MemorySegment.ofArray(new byte[11]), 11, false));
        assertThrows(DwcpException.class, () -> f.accept(0, MemorySegment.ofArray(new byte[BS - 1]), BS - 1, false));
        assertThrows(DwcpException.class, () -> f.expect(3, new byte[16]));
    }

    @Test
    void aBlockForAnAbandonedFileSaysSoAndWritesNothing() throws Exception {
        byte[] data = StorageTestData.random(3 * BS, 9);
        Path target = dir.resolve("late.bin");
        IncomingFile f = incoming(0, Entry.file("late.bin", data.length, 0644, 0), target, null, 0);
        deliver(f, data, 0); // the part file is open
        f.fail();
        DwcpException e = assertThrows(DwcpException.class, () -> deliver(f, data, 1));
        assertTrue(e.getMessage().contains("reason=file-failed"), e.getMessage());
        assertFalse(Files.exists(dir.resolve(f.partPath())), "no part file is created again");
        assertFalse(Files.exists(target));
    }

    @Test
    void aBlockAfterTheFileIsDoneSaysSo() throws Exception {
        byte[] data = StorageTestData.random(2 * BS, 10);
        Path target = dir.resolve("done.bin");
        IncomingFile f = incoming(0, Entry.file("done.bin", data.length, 0644, 0), target, null, 0);
        deliver(f, data, 0);
        deliver(f, data, 1);
        assertTrue(f.expect(2, fileDigest(data)));
        assertTrue(f.finish());
        DwcpException e = assertThrows(DwcpException.class, () -> deliver(f, data, 1));
        assertTrue(e.getMessage().contains("reason=file-done"), e.getMessage());
        assertArrayEquals(data, Files.readAllBytes(target));
    }

    /**
     * With too many part files open, a small new file whose blocks have all arrived is closed until its FILE_END,
     * then opened again to be finished; a part file swapped meanwhile is refused and nothing reaches the final name.
     */
    @Test
    void completeSmallFilesAreClosedUntilTheirFileEndWhenManyPartsAreOpen() throws Exception {
        int before = IncomingFile.openPartsLimit;
        IncomingFile.openPartsLimit = 0;
        try {
            byte[][] data = new byte[3][];
            IncomingFile[] files = new IncomingFile[3];
            int open = PartFile.open();
            for (int k = 0; k < 3; k++) {
                data[k] = StorageTestData.random(2 * BS + 1 + 17 * k, 40 + k);
                files[k] = incoming(k, Entry.file("p" + k, data[k].length, 0644, 0), dir.resolve("p" + k), null, 0);
                for (int b = 0; b < 3; b++) {
                    deliver(files[k], data[k], b);
                }
            }
            assertEquals(open, PartFile.open(), "every complete part file was closed");
            for (int k = 0; k < 2; k++) {
                assertTrue(files[k].expect(3, fileDigest(data[k])));
                assertTrue(files[k].finish());
                assertArrayEquals(data[k], Files.readAllBytes(dir.resolve("p" + k)));
            }
            Path part = dir.resolve("p2" + IncomingFile.PART_SUFFIX);
            Files.delete(part);
            byte[] other = data[2].clone();
            other[BS + 5] ^= 1; // another file, one byte off (its inode number may well be the one just freed)
            Files.write(part, other);
            assertTrue(files[2].expect(3, fileDigest(data[2])));
            DwcpException e = assertThrows(DwcpException.class, files[2]::finish);
            assertTrue(e.getMessage().contains("reason=part-file-replaced"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("p2")), "nothing under the final name");
            assertFalse(Files.exists(part), "the planted part file is removed");
            assertEquals(open, PartFile.open());
        } finally {
            IncomingFile.openPartsLimit = before;
        }
    }

    @Test
    void partFilesTakeAQuarterOfAFewFdsAndAllButFourThousandOfMany() {
        assertEquals(16, IncomingFile.openPartsLimitFor(50));
        assertEquals(32, IncomingFile.openPartsLimitFor(128));
        assertEquals(64, IncomingFile.openPartsLimitFor(256));
        assertEquals(256, IncomingFile.openPartsLimitFor(1024));
        assertEquals(4096, IncomingFile.openPartsLimitFor(8192));
        assertEquals(15_904, IncomingFile.openPartsLimitFor(20_000));
        assertEquals(16_384, IncomingFile.openPartsLimitFor(1L << 20));
    }
}
