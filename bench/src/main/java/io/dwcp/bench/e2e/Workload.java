package io.dwcp.bench.e2e;

/**
 * One workload of the benchmark.
 *
 * @param name      as in the report and the WORKLOADS setting ("file-4096M", "tree", "tree-resend", "gen-tree", ...)
 * @param kind      what is generated
 * @param sizeMib   the file size for FILE and FILE_PAIR, else 0
 * @param resend    the destination is kept from the previous run: a re-sync
 * @param sourceKey workloads with the same key share one generated source (a tree and its resends)
 * @param resync    what a re-sync faces besides the kept destination, or what the destination holds when a run starts
 * @param crash     what is killed in the middle of each run before the send is run again to its end
 */
record Workload(String name, Kind kind, int sizeMib, boolean resend, String sourceKey, Resync resync, Crash crash) {

    enum Kind {
        FILE, TREE, REAL_TREE, GEN_TREE,
        /** A seeded random file (OLD, the receiver's copy) and its new version (NEW, the source): see {@link FilePair}. */
        FILE_PAIR
    }

    enum Resync {
        /** Nothing changed: an identical re-sync (or no re-sync at all). */
        IDENTICAL,
        /** A seeded 1% of the source's files rewritten (same size, new content and mtime) before every round. */
        REWRITE_1PCT,
        /** Identical, but the tools are told to compare content: dwcp --checksum, rsync -c. */
        CHECKSUM,
        /** Each run starts with the old version of the file at the destination (restored, untimed): a delta transfer. */
        OLD_VERSION,
        /** As OLD_VERSION, and the sender is told where its own copy of that old version is (dwcp send --base OLD). */
        OLD_VERSION_BASE
    }

    enum Crash {
        NONE,
        /** The sender is SIGKILLed when half the file has arrived; then the same send runs again to its end. */
        SENDER,
        /** The server is SIGKILLed when half the file has arrived and restarted on the same root; then the send again. */
        SERVER
    }

    /** The fraction of the files gen-tree-1pct rewrites per round. */
    static final double REWRITE_FRACTION = 0.01;

    Workload(String name, Kind kind, int sizeMib, boolean resend, String sourceKey) {
        this(name, kind, sizeMib, resend, sourceKey, Resync.IDENTICAL);
    }

    Workload(String name, Kind kind, int sizeMib, boolean resend, String sourceKey, Resync resync) {
        this(name, kind, sizeMib, resend, sourceKey, resync, Crash.NONE);
    }

    boolean isFile() {
        return kind == Kind.FILE;
    }

    /** One file moves (a plain random file or the new version of one). */
    boolean oneFile() {
        return kind == Kind.FILE || kind == Kind.FILE_PAIR;
    }

    /** A copy into an empty destination, run to its end: what every tool, the floors included, can do. */
    boolean firstCopy() {
        return !resend && resync == Resync.IDENTICAL && crash == Crash.NONE;
    }

    boolean checksum() {
        return resync == Resync.CHECKSUM;
    }

    boolean rewrites() {
        return resync == Resync.REWRITE_1PCT;
    }

    /** Before each run the tool's destination gets the old version of the file (see {@link FilePair#restoreOld}). */
    boolean startsFromOldVersion() {
        return resync == Resync.OLD_VERSION || resync == Resync.OLD_VERSION_BASE;
    }

    /** The sender is given its own copy of the receiver's old version (dwcp send --base). */
    boolean senderHasBase() {
        return resync == Resync.OLD_VERSION_BASE;
    }

    boolean interrupted() {
        return crash != Crash.NONE;
    }

    /**
     * The result is compared with the source byte for byte, not sampled: a delta or a resumed transfer that gets a
     * few pages wrong is what these workloads are there to catch, and a sample would miss it.
     */
    boolean checksEveryByte() {
        return kind == Kind.FILE_PAIR || interrupted();
    }

    /** The runs record what went over the wire (dwcp --json counters, rsync --stats): see {@link DeltaReport}. */
    boolean countsTraffic() {
        return startsFromOldVersion() || interrupted();
    }

    /** The generated tree's first copies are checked for metadata too (rsync -aHcn), not only content. */
    boolean checksFidelity() {
        return kind == Kind.GEN_TREE && !resend;
    }

    /** The name of the source below the source directory, which is also its name at every destination. */
    String sourceName() {
        return switch (kind) {
            case FILE -> "file-" + sizeMib + "M.bin";
            case FILE_PAIR -> "file-delta-" + sizeMib + "M.bin";
            case TREE -> "tree";
            case REAL_TREE -> "real-tree";
            case GEN_TREE -> "gen-tree";
        };
    }
}
