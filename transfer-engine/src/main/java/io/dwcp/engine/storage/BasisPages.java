package io.dwcp.engine.storage;

import io.dwcp.core.digest.PageDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.concurrent.ByteBudget;

/**
 * Page digests of a basis, taken in the plan's digest pass while each block is in memory anyway, so that a REFINE is
 * answered without reading its blocks a second time (2 GiB with 1 % of its pages rewritten: 1.9 GiB of the basis
 * was read again for the page digests of the 1,898 changed blocks). They cost 8 bytes per 4 KiB page, so their sum
 * in this process is bounded by {@link #BUDGET}; a basis that does not fit is refined by reading, as before.
 */
public final class BasisPages {
    /** Page digests held at once in this process, at most: those of 16 GiB of bases being refined. */
    public static final long BUDGET = 32L << 20;
    private static final ByteBudget HELD = new ByteBudget(BUDGET);

    private BasisPages() {
    }

    /**
     * A zeroed array for the page digests of every block of a basis of {@code size} bytes in blocks of
     * {@code blockSize} (each block's at {@code block * PageDigests.length(blockSize)}), or null when the budget
     * cannot take it, or for a basis under {@link IncomingFile#MIN_RESUME_SIZE}: a tree of small files compared by
     * {@code --checksum} would otherwise hash every page and take an array per file, for the rare small file
     * refined. Give it back with {@link #release}.
     */
    public static byte[] reserve(long size, int blockSize) {
        long bytes = (long) FileBlocks.blockCount(size, blockSize) * PageDigests.length(blockSize);
        if (size < IncomingFile.MIN_RESUME_SIZE || bytes > BUDGET) {
            return null;
        }
        return HELD.take(bytes) ? new byte[(int) bytes] : null;
    }

    /** Gives back what {@link #reserve} took for {@code pages}. */
    public static void release(byte[] pages) {
        HELD.give(pages.length);
    }

    /** Bytes of page digests held now, in the whole process. */
    public static long held() {
        return HELD.held();
    }
}
