package io.dwcp.engine.send;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.digest.PageDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.manifest.Entry;
import io.dwcp.zerocopy.IoMode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DigestAheadTest {
    private static final int BLOCK = 1 << 20;
    private static final long BIG = DigestAhead.MIN_FILE_BYTES + 5000;

    private static byte[] write(Path f, long size, long seed) throws IOException {
        byte[] b = new byte[(int) size];
        new Random(seed).nextBytes(b);
        Files.write(f, b);
        return b;
    }

    private static EntrySource.Batch batch(Object... entriesAndSources) {
        List<Entry> entries = new java.util.ArrayList<>();
        List<Path> sources = new java.util.ArrayList<>();
        for (int i = 0; i < entriesAndSources.length; i += 2) {
            entries.add((Entry) entriesAndSources[i]);
            sources.add((Path) entriesAndSources[i + 1]);
        }
        return new EntrySource.Batch(entries, sources);
    }

    /** What a stream would compute reading the block itself. */
    private static void assertBlock(byte[] data, DigestAhead.Digested d, int block) {
        int length = FileBlocks.blockLength(data.length, BLOCK, block);
        ByteBuffer bytes = ByteBuffer.wrap(data, block * BLOCK, length);
        byte[] digest = new byte[BlockDigests.DIGEST_LENGTH];
        BlockDigests.digest(bytes.slice(), digest, 0);
        assertArrayEquals(digest, Arrays.copyOfRange(d.digests, block * 16, block * 16 + 16), "block " + block);
        byte[] pages = new byte[PageDigests.length(length)];
        PageDigests.digest(java.lang.foreign.MemorySegment.ofArray(data), (long) block * BLOCK, length, pages, 0,
                new byte[16]);
        int at = d.pagesAt(block);
        assertArrayEquals(pages, Arrays.copyOfRange(d.pages(), at, at + pages.length), "pages of block " + block);
        CRC32C crc = new CRC32C();
        crc.update(data, block * BLOCK, length);
        assertEquals((int) crc.getValue(), d.crc(block), "crc of block " + block);
    }

    @Test
    void bigFilesAreDigestedBlockByBlockAsTheStreamsWould(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.bin");
        Path b = dir.resolve("b.bin");
        byte[] da = write(a, BIG, 1);
        byte[] db = write(b, 2 * BIG, 2);
        Path small = dir.resolve("small.bin");
        write(small, 4096, 3);
        DigestAhead ahead = DigestAhead.start(40, batch(
                Entry.file("a.bin", BIG, 0644, 0), a,
                Entry.file("small.bin", 4096, 0644, 0), small,
                Entry.file("b.bin", 2 * BIG, 0644, 0), b), BLOCK, IoMode.AUTO);
        assertNotNull(ahead);
        assertNull(ahead.of(41), "a small file is not digested ahead");
        DigestAhead.Digested fa = ahead.of(40);
        DigestAhead.Digested fb = ahead.of(42);
        int blocksB = FileBlocks.blockCount(2 * BIG, BLOCK);
        // The second file's last block first: waiting for it waits for everything before it.
        assertTrue(fb.await(blocksB - 1));
        for (int i = 0; i < FileBlocks.blockCount(BIG, BLOCK); i++) {
            assertTrue(fa.await(i));
            assertBlock(da, fa, i);
        }
        for (int i = 0; i < blocksB; i++) {
            assertBlock(db, fb, i);
        }
        assertFalse(fb.await(blocksB), "past the last block");
    }

    @Test
    void aBatchWithoutBigFilesStartsNothing(@TempDir Path dir) throws Exception {
        Path small = dir.resolve("small.bin");
        write(small, 100_000, 4);
        assertNull(DigestAhead.start(0, batch(Entry.file("small.bin", 100_000, 0644, 0), small,
                Entry.dir("d", 0755, 0), dir), BLOCK, IoMode.AUTO));
    }

    @Test
    void aFileThatShrankIsDigestedAsFarAsItGoesAndNoStreamWaitsForTheRest(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("shrank.bin");
        byte[] data = write(f, BIG, 5);
        DigestAhead ahead = DigestAhead.start(0, batch(Entry.file("shrank.bin", BIG + 3L * BLOCK, 0644, 0), f),
                BLOCK, IoMode.AUTO);
        DigestAhead.Digested d = ahead.of(0);
        int whole = (int) (BIG / BLOCK); // the last block the file still has whole
        assertTrue(d.await(whole - 1));
        assertBlock(data, d, whole - 1);
        assertFalse(d.await(whole), "the short block is left to the streams, which report the change");
        assertFalse(d.await(whole + 2));
    }

    @Test
    void aVanishedFileLeavesEveryBlockToTheStreams(@TempDir Path dir) throws Exception {
        DigestAhead ahead = DigestAhead.start(0, batch(Entry.file("gone.bin", BIG, 0644, 0), dir.resolve("gone.bin")),
                BLOCK, IoMode.AUTO);
        assertFalse(ahead.of(0).await(0));
    }

    @Test
    void cancelledAndStoppedFilesReleaseTheirWaiters(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("big.bin");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(4L << 30); // sparse: reading it all would take seconds, far longer than this test waits
        }
        Path g = dir.resolve("big2.bin");
        try (RandomAccessFile r = new RandomAccessFile(g.toFile(), "rw")) {
            r.setLength(4L << 30);
        }
        DigestAhead ahead = DigestAhead.start(0, batch(Entry.file("big.bin", 4L << 30, 0644, 0), f,
                Entry.file("big2.bin", 4L << 30, 0644, 0), g), BLOCK, IoMode.AUTO);
        DigestAhead.Digested first = ahead.of(0);
        assertTrue(first.await(0));
        first.cancel();
        long t0 = System.nanoTime();
        assertFalse(first.await(4095), "a cancelled file's last block is the stream's");
        int done = 0;
        while (first.await(done)) {
            done++;
        }
        assertTrue(ahead.of(1).await(0), "the thread has moved on to the next file");
        // The block it was digesting when cancelled is a stream's now: its digest slot is left alone.
        byte[] untouched = new byte[BlockDigests.DIGEST_LENGTH];
        for (int b = done; b < done + 2; b++) {
            assertArrayEquals(untouched, Arrays.copyOfRange(first.digests, b * 16, b * 16 + 16), "block " + b);
        }
        ahead.stop();
        assertFalse(ahead.of(1).await(4095), "after a stop, nothing more is digested ahead");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "waiters were released, not timed out");
    }

    @Test
    void thePageDigestsKeptAreBounded(@TempDir Path dir) throws Exception {
        // 8 GiB of blocks fill the bound: a file beyond it is digested ahead only up to there.
        int bound = DigestAhead.MAX_PAGE_BYTES / PageDigests.length(BLOCK);
        Path f = dir.resolve("huge.bin");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength((long) (bound + 10) * BLOCK);
        }
        DigestAhead ahead = DigestAhead.start(0, batch(Entry.file("huge.bin", (long) (bound + 10) * BLOCK, 0644, 0), f),
                BLOCK, IoMode.AUTO);
        ahead.stop(); // the bound is fixed at the start: no need to read 8 GiB of holes to see it
        DigestAhead.Digested d = ahead.of(0);
        assertEquals(bound, d.bound(), "blocks digested ahead at most");
        assertFalse(d.await(bound));
    }
}
