package io.dwcp.numa;

import java.util.List;

/**
 * A snapshot of a {@link SlabPool}'s counters. Each counter is exact; the snapshot is not atomic across them
 * while threads acquire and release.
 *
 * @param budget          the bound on reserved bytes
 * @param reserved        bytes of regions taken from the system so far (never shrinks before close: this is
 *                        the pool's high-water mark of memory)
 * @param reservedByKind  reserved bytes by {@link PageKind}, indexed by ordinal
 * @param hugeBacked      of the reserved bytes, those the kernel was seen to back with huge pages
 *                        ({@link Region#hugeBytes()})
 * @param growFailures    regions the system refused (each such acquire became a miss)
 * @param lastGrowFailure why the last region was refused, or empty
 * @param classes         per size class and node
 */
public record SlabPoolStats(long budget, long reserved, long[] reservedByKind, long hugeBacked, long growFailures,
                            String lastGrowFailure, List<ClassStats> classes) {

    /**
     * The counters of one size class on one node.
     *
     * @param slabBytes      the class's slab size
     * @param node           the node id
     * @param carved         slabs carved so far
     * @param acquired       successful acquisitions
     * @param released       releases (double releases excluded)
     * @param misses         acquisitions that returned null (no slab, budget spent, or timed out)
     * @param waits          blocking acquisitions that had to wait
     * @param outstanding    slabs held now
     * @param highWater      most slabs held at once
     * @param doubleReleases releases of a slab that was not held (each threw)
     */
    public record ClassStats(long slabBytes, int node, int carved, long acquired, long released, long misses,
                             long waits, long outstanding, long highWater, long doubleReleases) {
    }

    public long reserved(PageKind kind) {
        return reservedByKind[kind.ordinal()];
    }

    public long acquired() {
        return classes.stream().mapToLong(ClassStats::acquired).sum();
    }

    public long released() {
        return classes.stream().mapToLong(ClassStats::released).sum();
    }

    public long misses() {
        return classes.stream().mapToLong(ClassStats::misses).sum();
    }

    public long outstanding() {
        return classes.stream().mapToLong(ClassStats::outstanding).sum();
    }

    public long doubleReleases() {
        return classes.stream().mapToLong(ClassStats::doubleReleases).sum();
    }

    /** {@code budget=64MiB reserved=8MiB hugetlb=0B thp=8MiB ... acquired=10 released=9 misses=0 outstanding=1}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("budget=").append(Bytes.format(budget)).append(" reserved=")
                .append(Bytes.format(reserved));
        for (PageKind k : PageKind.values()) {
            b.append(' ').append(k).append('=').append(Bytes.format(reserved(k)));
        }
        b.append(" huge_backed=").append(Bytes.format(hugeBacked)).append(" acquired=").append(acquired()).append(" released=").append(released()).append(" misses=")
                .append(misses()).append(" outstanding=").append(outstanding()).append(" double_releases=")
                .append(doubleReleases()).append(" grow_failures=").append(growFailures);
        return lastGrowFailure.isEmpty() ? b.toString() : b.append(" last_grow_failure=\"").append(lastGrowFailure)
                .append('"').toString();
    }
}
