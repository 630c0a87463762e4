package io.dwcp.numa;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One mapping the slab pool carves slabs from. Its segment belongs to the region's own shared arena, so
 * {@link #close()} unmaps it and every slice of it fails on use afterwards instead of touching freed memory.
 */
public final class Region implements AutoCloseable {
    private final Arena arena;
    private final MemorySegment segment;
    private final PageKind kind;
    private final int node;
    private final boolean bound;
    private final long hugeBytes;

    Region(Arena arena, MemorySegment segment, PageKind kind, int node, boolean bound, long hugeBytes) {
        this.arena = arena;
        this.segment = segment;
        this.kind = kind;
        this.node = node;
        this.bound = bound;
        this.hugeBytes = hugeBytes;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long byteSize() {
        return segment.byteSize();
    }

    public PageKind kind() {
        return kind;
    }

    /** The node the region was meant for. */
    public int node() {
        return node;
    }

    /** True when {@code mbind} placed it on {@link #node()} (only attempted with more than one node). */
    public boolean bound() {
        return bound;
    }

    /**
     * Bytes the kernel backed with huge pages when the region was faulted in, as measured: all of a HUGETLB
     * region; for THP, what {@code AnonHugePages} of {@code /proc/self/smaps_rollup} grew by (0 if the kernel
     * found no huge pages, a fair check rather than an exact one); 0 otherwise.
     */
    public long hugeBytes() {
        return hugeBytes;
    }

    /** Unmaps the region; idempotent. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "region bytes=" + Bytes.format(byteSize()) + " kind=" + kind + " node=" + node + " bound=" + bound + " huge_backed="
                + Bytes.format(hugeBytes);
    }
}
