package io.dwcp.engine.send;

import io.dwcp.core.manifest.Entry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Where a send's entries come from, batch by batch, so a tree is offered while it is still being read. */
public interface EntrySource {
    /** Entries in offer order and, index for index, the local file behind each FILE entry (null for the rest). */
    record Batch(List<Entry> entries, List<Path> sources) {
    }

    /**
     * The next batch: at most {@code maxEntries} entries, ended early once its files total {@code maxBytes};
     * null when there is nothing more.
     */
    Batch next(int maxEntries, long maxBytes) throws IOException;

    /** True for a tree (many files, most of them small, as far as the source can tell before reading it). */
    default boolean tree() {
        return false;
    }

    /** What was left out so far and why, one {@code key=value} line each. */
    List<String> skipped();

    /** Lets go of what reading holds open (directories of a walk) when the send ends before the last batch. */
    default void close() {
    }
}
