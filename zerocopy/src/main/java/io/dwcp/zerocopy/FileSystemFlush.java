package io.dwcp.zerocopy;

import java.io.Closeable;
import java.io.IOException;

/**
 * A handle on the file system that holds a {@link ConfinedRoot}, for flushing it whole: {@link #flush()} is
 * {@code syncfs(2)}, which writes out the data and metadata of every dirty file there and commits the file
 * system's journal once, where an {@code fsync} per file commits it once per file. A receiver that renames many
 * verified files flushes them all with one call (and, like every {@code syncfs}, whatever else on that file system
 * is dirty).
 *
 * <p>Errors: Linux (5.8 and later) reports a writeback error of any file on the file system to each open handle
 * once, if it happened after the handle was opened. A handle is therefore opened before the data it is meant to
 * flush is written (a receiving session opens its own when it starts) and kept, not opened per flush.
 */
public interface FileSystemFlush extends Closeable {
    /** Writes out everything dirty on the file system and waits for it; EIO and the like throw. */
    void flush() throws IOException;

    /** Idempotent. */
    @Override
    void close();
}
