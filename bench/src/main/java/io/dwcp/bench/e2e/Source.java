package io.dwcp.bench.e2e;

import java.nio.file.Path;

/**
 * A generated source: what every tool copies, and what its copy is checked against.
 *
 * @param bytes       the data to move: the regular files' sizes, each inode once
 * @param files       regular files, counted per name; for the generated gen-tree every non-directory name
 * @param linkedBytes bytes of second names (hard links): a tool that copies them as separate files moves these too
 * @param note        how it was made, for the report ("" when the workload's kind says it all)
 * @param basis       for a file pair, the old version (what each run's destination starts with); else null
 */
record Source(Path path, long bytes, long files, long linkedBytes, String note, Path basis) {
    Source(Path path, long bytes, long files) {
        this(path, bytes, files, 0, "");
    }

    Source(Path path, long bytes, long files, long linkedBytes, String note) {
        this(path, bytes, files, linkedBytes, note, null);
    }
}
