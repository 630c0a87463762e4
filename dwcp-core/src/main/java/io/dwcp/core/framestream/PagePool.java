package io.dwcp.core.framestream;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The cache's memory: exactly {@code budget / 4096} pages, in regions allocated from one shared arena when a
 * page in them is first needed (a large budget costs nothing until frames fill it) and freed only when the
 * pool is closed. Pages are handed out as runs, first fit, preferring one run for the whole request, so a
 * frame usually lies in one piece; a free page is one bit. Since the pool has as many pages as the budget
 * allows, an allocation within the budget always succeeds, however fragmented: it takes several runs.
 * Not thread-safe: one writer or reader uses it.
 */
final class PagePool implements AutoCloseable {
    static final int PAGE = FrameStreamDescriptor.PAGE_SIZE;

    private final Arena arena = Arena.ofShared();
    private final int totalPages;
    private final int regionPages;
    private final MemorySegment[] regions;
    /** Bit set: the page is free. Bits at and beyond totalPages are never set. */
    private final long[] free;
    private int freePages;
    /** No page below it is free. */
    private int hint;

    PagePool(long budgetBytes, int regionPages) {
        this.totalPages = (int) (budgetBytes / PAGE);
        this.regionPages = Math.max(1, Math.min(regionPages, Math.max(1, totalPages)));
        this.regions = new MemorySegment[(totalPages + this.regionPages - 1) / this.regionPages];
        this.free = new long[(totalPages + 63) >>> 6];
        for (int p = 0; p < totalPages; p += 64) {
            int n = Math.min(64, totalPages - p);
            free[p >>> 6] = n == 64 ? -1L : (1L << n) - 1;
        }
        this.freePages = totalPages;
    }

    int totalPages() {
        return totalPages;
    }

    int freePages() {
        return freePages;
    }

    /** The region holding {@code page}; offsets in it are {@link #offset(int)}. */
    MemorySegment region(int page) {
        return regions[page / regionPages];
    }

    long offset(int page) {
        return (long) (page % regionPages) * PAGE;
    }

    /** Largest run a request can get: runs never cross a region. */
    int regionPages() {
        return regionPages;
    }

    /**
     * Appends {@code n} more pages to {@code e}: after its last run if those pages are free, else one run if
     * one is free anywhere, else the first free runs. The caller has made sure {@code n <= freePages()}.
     */
    void allocate(int n, Extents e) {
        if (n > freePages) {
            throw new IllegalStateException("reason=pool-exhausted want=" + n + " free=" + freePages);
        }
        if (e.runs() > 0) {
            int last = e.start(e.runs() - 1) + e.count(e.runs() - 1);
            if (last < totalPages && last % regionPages != 0) {
                int k = Math.min(n, nextUsed(last, regionEnd(last)) - last);
                if (k > 0) {
                    take(last, k, e);
                    n -= k;
                }
            }
        }
        if (n == 0) {
            return;
        }
        for (int p = nextFree(hint); p < totalPages; ) {
            int end = nextUsed(p, regionEnd(p));
            if (end - p >= n) {
                take(p, n, e);
                return;
            }
            p = nextFree(end);
        }
        for (int p = nextFree(hint); n > 0; p = nextFree(p)) {
            int k = Math.min(n, nextUsed(p, regionEnd(p)) - p);
            take(p, k, e);
            n -= k;
        }
    }

    /** Returns the pages of {@code e} beyond its first {@code keep} to the pool. */
    void release(Extents e, int keep) {
        while (e.pages() > keep) {
            int i = e.runs() - 1;
            int k = Math.min(e.count(i), e.pages() - keep);
            int first = e.start(i) + e.count(i) - k;
            for (int p = first; p < first + k; p++) {
                free[p >>> 6] |= 1L << p;
            }
            freePages += k;
            hint = Math.min(hint, first);
            e.dropTail(k);
        }
    }

    private void take(int first, int k, Extents e) {
        boolean lowest = nextFree(hint) == first;
        for (int p = first; p < first + k; p++) {
            free[p >>> 6] &= ~(1L << p);
        }
        freePages -= k;
        if (lowest) {
            hint = first + k;
        }
        int r = first / regionPages;
        if (regions[r] == null) {
            int pages = Math.min(regionPages, totalPages - r * regionPages);
            regions[r] = arena.allocate((long) pages * PAGE, PAGE);
        }
        e.append(first, k, first % regionPages != 0);
    }

    private int regionEnd(int page) {
        return Math.min(totalPages, (page / regionPages + 1) * regionPages);
    }

    private int nextFree(int p) {
        if (p >= totalPages) {
            return totalPages;
        }
        int w = p >>> 6;
        long bits = free[w] & (-1L << p);
        while (bits == 0) {
            if (++w == free.length) {
                return totalPages;
            }
            bits = free[w];
        }
        return (w << 6) + Long.numberOfTrailingZeros(bits);
    }

    private int nextUsed(int p, int limit) {
        if (p >= limit) {
            return limit;
        }
        int w = p >>> 6;
        long bits = ~free[w] & (-1L << p);
        while (bits == 0) {
            if (++w << 6 >= limit) {
                return limit;
            }
            bits = ~free[w];
        }
        return Math.min(limit, (w << 6) + Long.numberOfTrailingZeros(bits));
    }

    @Override
    public void close() {
        arena.close();
    }
}
