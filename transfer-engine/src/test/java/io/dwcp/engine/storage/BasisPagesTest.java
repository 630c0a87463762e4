package io.dwcp.engine.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.digest.PageDigests;
import io.dwcp.core.manifest.Entry;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The basis's page digests taken in the plan's pass answer REFINEs, within a budget given back when files end. */
class BasisPagesTest {
    private static final int BS = 64 * 1024;

    @TempDir
    Path dir;

    private StorageRoot root;

    @AfterEach
    void closeRoot() throws Exception {
        if (root != null) {
            root.close();
        }
    }

    /** A file planned over the basis {@code old} at {@code name}, with page digests when the budget allows. */
    private IncomingFile planned(String name, byte[] old, byte[] now) throws Exception {
        if (root == null) {
            root = StorageRoot.open(IoPaths.select(IoMode.AUTO), dir, 4096);
        }
        Files.write(dir.resolve(name), old);
        byte[] pages = BasisPages.reserve(old.length, BS);
        assertNotNull(pages);
        BasisDigests.Digested d = BasisDigests.digest(root, name, name, old.length, BS, ByteBuffer.allocateDirect(BS),
                () -> { }, pages);
        assertTrue(d.pagesComplete());
        IncomingFile f = new IncomingFile(0, Entry.file(name, now.length, 0644, 0), root, name, BS, d.blocks(), old.length);
        f.usePageDigests(pages);
        return f;
    }

    @Test
    void aRefineIsAnsweredFromThePlansPassWithoutReadingTheBasisAgain() throws Exception {
        byte[] old = StorageTestData.random(64 * BS + 123, 1);
        long before = BasisPages.held();
        IncomingFile f = planned("a.bin", old, old);
        assertEquals(before + 65L * PageDigests.length(BS), BasisPages.held(), "one array for every block's pages");
        Files.delete(dir.resolve("a.bin")); // a read now would fail: only the cache can answer
        byte[] got;
        try (Arena arena = Arena.ofConfined()) {
            got = f.pageDigests(new int[] {3, 7, 0}, arena.allocate(BS));
        }
        int per = PageDigests.length(BS);
        byte[] want = new byte[3 * per];
        byte[] scratch = new byte[16];
        int k = 0;
        for (int b : new int[] {3, 7, 0}) {
            PageDigests.digest(MemorySegment.ofArray(old), (long) b * BS, BS, want, k++ * per, scratch);
        }
        assertArrayEquals(want, got);
        f.fail();
        assertEquals(before, BasisPages.held(), "a failed file gives its page digests back");
    }

    @Test
    void theLastShortBlockIsStillReadAndTheBudgetComesBackWhenTheFileIsVerified() throws Exception {
        byte[] old = StorageTestData.random(64 * BS + 500, 2);
        long before = BasisPages.held();
        IncomingFile f = planned("b.bin", old, old);
        byte[] got;
        try (Arena arena = Arena.ofConfined()) {
            got = f.pageDigests(new int[] {64}, arena.allocate(BS)); // short in the basis: read from the file
        }
        byte[] want = new byte[PageDigests.length(500)];
        PageDigests.digest(MemorySegment.ofArray(old), 64L * BS, 500, want, 0, new byte[16]);
        assertArrayEquals(want, got);
        assertTrue(f.expect(0, StorageTestData.fileDigest(old, BS)));
        assertTrue(f.finish());
        assertTrue(f.identical());
        assertEquals(before, BasisPages.held(), "a verified file gives its page digests back");
    }

    @Test
    void aSmallBasisTakesNone() {
        assertNull(BasisPages.reserve(IncomingFile.MIN_RESUME_SIZE - 1, BS), "read instead, if ever refined");
    }

    @Test
    void theBudgetBoundsWhatTheProcessHolds() throws Exception {
        int mib = 1 << 20;
        int perBlock = PageDigests.length(mib);
        assertNull(BasisPages.reserve((BasisPages.BUDGET / perBlock + 1) * mib, mib),
                "a basis beyond the whole budget is refined by reading");
        long before = BasisPages.held();
        byte[] big = BasisPages.reserve((BasisPages.BUDGET - before) / perBlock * mib, mib);
        assertNotNull(big);
        byte[] more = BasisPages.reserve(IncomingFile.MIN_RESUME_SIZE, mib);
        BasisPages.release(big);
        if (more != null) {
            BasisPages.release(more);
        }
        assertNull(more, "the budget is spent: one more basis's pages do not fit");
        assertEquals(before, BasisPages.held());
        IncomingFile f = planned("c.bin", StorageTestData.random(64 * BS, 3), StorageTestData.random(64 * BS, 4));
        f.interrupt();
        assertEquals(before, BasisPages.held(), "an interrupted file gives its page digests back");
        assertFalse(Files.exists(dir.resolve(f.partPath())));
    }
}
