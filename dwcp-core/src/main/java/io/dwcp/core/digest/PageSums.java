package io.dwcp.core.digest;

import io.dwcp.core.concurrent.ByteBudget;
import io.dwcp.core.frame.PageMapDescriptor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The XXH3-128 digest ({@link BlockDigests#PER_PAGE} bytes, an entry of a block digest's page list) and the CRC32C of
 * every 4 KiB page of a file. A receiver that took them from a basis cloned into its part file checks a page frame
 * for a block still the clone's, and makes the block's digest, from these and the frame's own pages, without reading
 * the block back ({@link Crc32cCombine}, {@link BlockDigests#ofPageList}): on a 2 GiB file with 1% of its pages
 * rewritten the session's one storing worker read, CRC'd and hashed 1.9 GiB again, the last 0.4 s of a 1.2 s
 * transfer. 20 bytes a page, within a process-wide budget; a file that does not fit is read back, as before.
 *
 * <p>Filled by one thread (the planner's digest pass) before any other uses them; after that one thread at a time
 * reads and replaces a block's pages (the storing worker, under the block's landing), and the owner releases them.
 */
public final class PageSums {
    /** Page sums held at once in this process, at most: those of about 6.5 GiB of bases (the heap is bounded). */
    public static final long BUDGET = 32L << 20;
    private static final ByteBudget HELD = new ByteBudget(BUDGET);
    private static final int PER_PAGE = BlockDigests.PER_PAGE + Integer.BYTES;

    /**
     * Every block's page list end to end, {@link BlockDigests#PER_PAGE} bytes per page: page {@code p} of block
     * {@code b} at page {@code b * pagesPerBlock + p}, the form {@link BlockDigests#digest} writes and
     * {@link BlockDigests#ofPageList} hashes.
     */
    private final byte[] digests;
    private final int[] crcs;
    private final int pagesPerBlock;
    private final long bytes;
    private final AtomicBoolean released = new AtomicBoolean();

    private PageSums(int pages, int pagesPerBlock, long bytes) {
        this.digests = new byte[pages * BlockDigests.PER_PAGE];
        this.crcs = new int[pages];
        this.pagesPerBlock = pagesPerBlock;
        this.bytes = bytes;
    }

    /**
     * Sums for a file of {@code size} bytes in blocks of {@code blockSize}, or null when the budget cannot take them.
     * Give them back with {@link #release}.
     */
    public static PageSums reserve(long size, int blockSize) {
        int perBlock = PageMapDescriptor.pages(blockSize);
        long pages = (size + blockSize - 1) / blockSize * perBlock; // the last block's pages all counted
        long bytes = pages * PER_PAGE;
        return bytes <= Integer.MAX_VALUE && HELD.take(bytes) ? new PageSums((int) pages, perBlock, bytes) : null;
    }

    /** Gives what {@link #reserve} took back to the budget; once, whoever calls it. */
    public void release() {
        if (released.compareAndSet(false, true)) {
            HELD.give(bytes);
        }
    }

    /** Bytes of page sums held now, in the whole process. */
    public static long held() {
        return HELD.held();
    }

    /** The first page of block {@code block}. */
    public int firstPage(int block) {
        return block * pagesPerBlock;
    }

    /** The page lists, to digest block {@code block} into from {@link #listAt}: only while filling them. */
    public byte[] lists() {
        return digests;
    }

    /** Where block {@code block}'s page list starts in {@link #lists}. */
    public int listAt(int block) {
        return firstPage(block) * BlockDigests.PER_PAGE;
    }

    /** Copies page {@code page}'s digest to {@code to[at, at+16)}. */
    public void digestTo(int page, byte[] to, int at) {
        System.arraycopy(digests, page * BlockDigests.PER_PAGE, to, at, BlockDigests.PER_PAGE);
    }

    public int crc(int page) {
        return crcs[page];
    }

    /** Records page {@code page}'s CRC32C, taken from its bytes. */
    public void crc(int page, int crc) {
        crcs[page] = crc;
    }

    /** Page {@code page} now holds bytes whose digest is {@code from[at, at+16)} and CRC32C {@code crc}. */
    public void replace(int page, byte[] from, int at, int crc) {
        System.arraycopy(from, at, digests, page * BlockDigests.PER_PAGE, BlockDigests.PER_PAGE);
        crcs[page] = crc;
    }
}
