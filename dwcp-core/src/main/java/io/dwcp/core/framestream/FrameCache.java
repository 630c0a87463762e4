package io.dwcp.core.framestream;

import java.lang.foreign.MemorySegment;

/**
 * The previous frame of each key, bounded in bytes: the policy both ends of a stream run in step.
 *
 * <p>The policy, which the wire format relies on (a writer and a reader given the same budget and the same
 * frames make the same choices): a frame of {@code n} bytes is charged {@code max(1, ceil(n / 4096))} pages.
 * After every frame, {@link #store} makes it its key's entry and the most recently used one, then evicts
 * least recently used entries of other keys until the charges fit the budget; a frame charged more than the
 * whole budget is not kept, and its key loses any older entry. Lookups do not change the order. Both ends
 * store every frame, whole or delta, in stream order, so their caches hold the same keys at all times.
 *
 * <p>The bytes live in a {@link PagePool} of exactly the budget; the tail of a frame's last page is kept zero,
 * so a basis reads as zero-extended to its page boundary. One thread uses a cache.
 */
final class FrameCache implements AutoCloseable {
    private static final int PAGE = PagePool.PAGE;
    /** Pages per pool region: 4 MiB, so that a 2 MiB frame is never split by a region boundary. */
    private static final int REGION_PAGES = 1024;

    /** One cached frame. */
    static final class Entry {
        long key;
        int length;
        final byte[] digest = new byte[16];
        final Extents extents = new Extents();
        Entry newer;
        Entry older;
    }

    private final PagePool pool;
    private final KeyIndex<Entry> index = new KeyIndex<>();
    private final FrameStreamStats stats;
    /** Most recently used; its {@code older} chain ends at {@link #lru}. */
    private Entry mru;
    private Entry lru;
    /** Entries of evicted keys, kept for new keys: a steady stream allocates none. */
    private Entry spare;
    private long usedPages;

    FrameCache(long budgetBytes, int maxFrame, FrameStreamStats stats) {
        int framePages = FrameDeltaDescriptor.pageCount(maxFrame);
        this.pool = new PagePool(budgetBytes, Math.max(REGION_PAGES, Math.min(framePages, 16 * REGION_PAGES)));
        this.stats = stats;
    }

    static int charge(long length) {
        return Math.max(1, FrameDeltaDescriptor.pageCount(length));
    }

    /** True when a frame of {@code length} bytes would be kept. */
    boolean admits(long length) {
        return charge(length) <= pool.totalPages();
    }

    Entry find(long key) {
        return index.get(key);
    }

    int entries() {
        return index.size();
    }

    long usedBytes() {
        return usedPages * PAGE;
    }

    /**
     * Makes {@code src[off, off+length)} (digest {@code digest[at, at+16)}) the entry of {@code key}, by the
     * policy above. Returns whether it was kept.
     */
    boolean store(long key, MemorySegment src, long off, int length, byte[] digest, int at) {
        Entry e = index.get(key);
        int need = charge(length);
        if (need > pool.totalPages()) {
            if (e != null) {
                drop(e);
                stats.evictions++;
            }
            return false;
        }
        int have = e == null ? 0 : e.extents.pages();
        while (usedPages - have + need > pool.totalPages()) {
            drop(lru != e ? lru : e.newer);
            stats.evictions++;
        }
        if (e == null) {
            e = take(key);
        } else {
            unlink(e);
        }
        if (have > need) {
            pool.release(e.extents, need);
        } else if (have < need) {
            pool.allocate(need - have, e.extents);
        }
        usedPages += need - have;
        e.length = length;
        System.arraycopy(digest, at, e.digest, 0, 16);
        copyIn(e, src, off, length);
        linkMru(e);
        return true;
    }

    /**
     * Makes {@code src[off, off+e.length)} the entry of {@code e}'s key, when the new frame has the basis's
     * length and differs from it only in the pages set in {@code map}: those pages are copied and nothing
     * else, and the key becomes the most recently used, exactly as {@link #store} would leave it.
     */
    void update(Entry e, MemorySegment src, long off, long[] map, byte[] digest, int at) {
        int pages = FrameDeltaDescriptor.pageCount(e.length);
        for (int p = PageMaps.next(map, 0, pages, true); p < pages; ) {
            int end = PageMaps.next(map, p, pages, false);
            long from = (long) p * PAGE;
            copyIn(e, from, src, off + from, Math.min(e.length, (long) end * PAGE) - from);
            p = PageMaps.next(map, end, pages, true);
        }
        System.arraycopy(digest, at, e.digest, 0, 16);
        unlink(e);
        linkMru(e);
    }

    /** Copies {@code n} bytes from {@code src[srcOff, ...)} into {@code e}'s frame at byte {@code from}. */
    private void copyIn(Entry e, long from, MemorySegment src, long srcOff, long n) {
        Extents x = e.extents;
        long runStart = 0;
        for (int i = 0; i < x.runs() && n > 0; i++) {
            long runBytes = (long) x.count(i) * PAGE;
            if (from < runStart + runBytes) {
                long k = Math.min(n, runStart + runBytes - from);
                MemorySegment.copy(src, srcOff, pool.region(x.start(i)), pool.offset(x.start(i)) + from - runStart, k);
                from += k;
                srcOff += k;
                n -= k;
            }
            runStart += runBytes;
        }
    }

    /** Copies the first {@code length} bytes of {@code e}'s frame to {@code dst[dstOff, ...)}. */
    void copyOut(Entry e, int length, MemorySegment dst, long dstOff) {
        Extents x = e.extents;
        long done = 0;
        for (int i = 0; i < x.runs() && done < length; i++) {
            long n = Math.min((long) x.count(i) * PAGE, length - done);
            MemorySegment.copy(pool.region(x.start(i)), pool.offset(x.start(i)), dst, dstOff + done, n);
            done += n;
        }
    }

    /** The pool region holding run {@code i} of {@code e}; the run starts at {@link #runOffset}. */
    MemorySegment runSegment(Entry e, int i) {
        return pool.region(e.extents.start(i));
    }

    long runOffset(Entry e, int i) {
        return pool.offset(e.extents.start(i));
    }

    private void copyIn(Entry e, MemorySegment src, long off, int length) {
        Extents x = e.extents;
        long done = 0;
        for (int i = 0; i < x.runs(); i++) {
            long room = (long) x.count(i) * PAGE;
            long n = Math.max(0, Math.min(room, length - done));
            MemorySegment region = pool.region(x.start(i));
            long at = pool.offset(x.start(i));
            if (n > 0) {
                MemorySegment.copy(src, off + done, region, at, n);
            }
            // Only the last page has room left over (or the one page of an empty frame): keep it zero.
            if (n < room) {
                Zeros.fill(region, at + n, room - n);
            }
            done += n;
        }
    }

    private Entry take(long key) {
        Entry e = spare;
        if (e != null) {
            spare = e.older;
        } else {
            e = new Entry();
        }
        e.key = key;
        e.older = null;
        e.newer = null;
        index.put(key, e);
        return e;
    }

    private void drop(Entry e) {
        unlink(e);
        index.remove(e.key);
        usedPages -= e.extents.pages();
        pool.release(e.extents, 0);
        e.older = spare;
        spare = e;
    }

    private void unlink(Entry e) {
        if (e.newer != null) {
            e.newer.older = e.older;
        } else {
            mru = e.older;
        }
        if (e.older != null) {
            e.older.newer = e.newer;
        } else {
            lru = e.newer;
        }
        e.newer = null;
        e.older = null;
    }

    private void linkMru(Entry e) {
        e.older = mru;
        e.newer = null;
        if (mru != null) {
            mru.newer = e;
        }
        mru = e;
        if (lru == null) {
            lru = e;
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
