package io.dwcp.bench.migration;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * The source guest's memory and what the guest does to it: seeded 4 KiB pages (some zero, some compressible,
 * the rest random), then writes between rounds, most of them into a working set of hot chunks, each either a
 * few words (counters, pointers) or a whole new page (buffers). Tracks which pages were written since the last
 * round, as a hypervisor's dirty log does. Off-heap, in an arena it closes.
 */
final class GuestMemory implements AutoCloseable {
    static final int PAGE = 4096;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    private final Arena arena = Arena.ofShared();
    private final MigrationOptions o;
    private final MemorySegment memory;
    private final int pages;
    private final int pagesPerChunk;
    private final int[] hotChunks;
    private final SplittableRandom rnd;
    private BitSet dirty = new BitSet();

    GuestMemory(MigrationOptions o) {
        this.o = o;
        this.memory = arena.allocate(o.memoryBytes(), PAGE);
        this.pages = (int) (o.memoryBytes() / PAGE);
        this.pagesPerChunk = o.chunkBytes() / PAGE;
        this.rnd = new SplittableRandom(o.seed());
        int chunks = chunks();
        int hot = Math.max(1, (int) Math.round(chunks * o.hotPct() / 100));
        this.hotChunks = new int[hot];
        SplittableRandom pick = new SplittableRandom(o.seed() * 31 + 7);
        for (int i = 0; i < hot; i++) {
            hotChunks[i] = pick.nextInt(chunks);
        }
    }

    MemorySegment segment() {
        return memory;
    }

    int chunks() {
        return (int) (o.memoryBytes() / o.chunkBytes());
    }

    int pages() {
        return pages;
    }

    /** Fills every page: a seeded mix of zero pages, compressible pages and random pages. */
    void fill() {
        SplittableRandom r = new SplittableRandom(o.seed() ^ 0x5DEECE66DL);
        for (int p = 0; p < pages; p++) {
            double kind = r.nextDouble() * 100;
            long at = (long) p * PAGE;
            if (kind < o.zeroPct()) {
                continue; // the arena gave zeros
            }
            if (kind < o.zeroPct() + o.compressiblePct()) {
                // Like text or sparse structures: a few distinct words repeated, with a little noise.
                long a = r.nextLong() & 0x7f7f7f7f7f7f7f7fL;
                long b = r.nextLong() & 0x7f7f7f7f7f7f7f7fL;
                for (int i = 0; i < PAGE; i += 8) {
                    memory.set(WORD, at + i, (i & 64) == 0 ? a : b ^ (r.nextInt(16) == 0 ? r.nextLong() : 0));
                }
            } else {
                randomPage(at, r);
            }
        }
    }

    /**
     * The guest runs for a while: {@code writes} page writes, {@code hotShare} percent of them into the hot
     * chunks; each written page joins the dirty log ({@link #takeDirty()}).
     */
    void run(long writes) {
        for (long w = 0; w < writes; w++) {
            int page;
            if (rnd.nextDouble() * 100 < o.hotShare()) {
                page = hotChunks[rnd.nextInt(hotChunks.length)] * pagesPerChunk + rnd.nextInt(pagesPerChunk);
            } else {
                page = rnd.nextInt(pages);
            }
            long at = (long) page * PAGE;
            if (rnd.nextDouble() * 100 < o.rewritePct()) {
                randomPage(at, rnd);
            } else {
                for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
                    long word = at + 8L * rnd.nextInt(PAGE / 8);
                    memory.set(WORD, word, memory.get(WORD, word) + 1 + rnd.nextInt(1 << 20));
                }
            }
            dirty.set(page);
        }
    }

    /** Pages written since the last call, as a set; the log starts empty again. */
    BitSet takeDirty() {
        BitSet d = dirty;
        dirty = new BitSet(pages);
        return d;
    }

    /** Chunks with at least one page in {@code dirtyPages}, in order. */
    int[] dirtyChunks(BitSet dirtyPages) {
        BitSet chunks = new BitSet(chunks());
        for (int p = dirtyPages.nextSetBit(0); p >= 0; p = dirtyPages.nextSetBit(p + 1)) {
            chunks.set(p / pagesPerChunk);
        }
        return chunks.stream().toArray();
    }

    private void randomPage(long at, SplittableRandom r) {
        for (int i = 0; i < PAGE; i += 8) {
            memory.set(WORD, at + i, r.nextLong());
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
