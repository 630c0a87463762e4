package io.dwcp.bench.e2e;

/**
 * One workload of the benchmark.
 *
 * @param name      as in the report and the WORKLOADS setting ("file-4096M", "tree", "tree-resend", ...)
 * @param kind      what is generated
 * @param sizeMib   the file size for FILE, else 0
 * @param resend    the destination is kept from the previous run: an identical resend
 * @param sourceKey workloads with the same key share one generated source (a tree and its resend)
 */
record Workload(String name, Kind kind, int sizeMib, boolean resend, String sourceKey) {

    enum Kind { FILE, TREE, REAL_TREE }

    boolean isFile() {
        return kind == Kind.FILE;
    }

    /** The name of the source below the source directory, which is also its name at every destination. */
    String sourceName() {
        return switch (kind) {
            case FILE -> "file-" + sizeMib + "M.bin";
            case TREE -> "tree";
            case REAL_TREE -> "real-tree";
        };
    }
}
