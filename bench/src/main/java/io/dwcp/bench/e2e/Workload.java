package io.dwcp.bench.e2e;

/**
 * One workload of the benchmark.
 *
 * @param name      as in the report and the WORKLOADS setting ("file-4096M", "tree", "tree-resend", "gen-tree", ...)
 * @param kind      what is generated
 * @param sizeMib   the file size for FILE, else 0
 * @param resend    the destination is kept from the previous run: a re-sync
 * @param sourceKey workloads with the same key share one generated source (a tree and its resends)
 * @param resync    what a re-sync faces besides the kept destination
 */
record Workload(String name, Kind kind, int sizeMib, boolean resend, String sourceKey, Resync resync) {

    enum Kind { FILE, TREE, REAL_TREE, GEN_TREE }

    enum Resync {
        /** Nothing changed: an identical re-sync (or no re-sync at all). */
        IDENTICAL,
        /** A seeded 1% of the source's files rewritten (same size, new content and mtime) before every round. */
        REWRITE_1PCT,
        /** Identical, but the tools are told to compare content: dwcp --checksum, rsync -c. */
        CHECKSUM
    }

    /** The fraction of the files gen-tree-1pct rewrites per round. */
    static final double REWRITE_FRACTION = 0.01;

    Workload(String name, Kind kind, int sizeMib, boolean resend, String sourceKey) {
        this(name, kind, sizeMib, resend, sourceKey, Resync.IDENTICAL);
    }

    boolean isFile() {
        return kind == Kind.FILE;
    }

    boolean checksum() {
        return resync == Resync.CHECKSUM;
    }

    boolean rewrites() {
        return resync == Resync.REWRITE_1PCT;
    }

    /** The generated tree's first copies are checked for metadata too (rsync -aHcn), not only content. */
    boolean checksFidelity() {
        return kind == Kind.GEN_TREE && !resend;
    }

    /** The name of the source below the source directory, which is also its name at every destination. */
    String sourceName() {
        return switch (kind) {
            case FILE -> "file-" + sizeMib + "M.bin";
            case TREE -> "tree";
            case REAL_TREE -> "real-tree";
            case GEN_TREE -> "gen-tree";
        };
    }
}
