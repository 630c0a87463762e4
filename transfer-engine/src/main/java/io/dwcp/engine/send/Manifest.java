package io.dwcp.engine.send;

import io.dwcp.core.manifest.Entry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A send's entries held in memory: entries in offer order and, index for index, the local file behind each FILE
 * entry (null for the rest). {@code skipped} lists what was left out and why. A tree is better sent through
 * {@link SourceScanner}, which never holds it whole; a manifest suits a known, small set of entries.
 */
public record Manifest(List<Entry> entries, List<Path> sources, List<String> skipped) {
    /** The entries as a source of batches, from the first. */
    public EntrySource source() {
        return new EntrySource() {
            private int next;

            @Override
            public Batch next(int maxEntries, long maxBytes) {
                if (next >= entries.size()) {
                    return null;
                }
                int start = next;
                long bytes = 0;
                long xattrBytes = 0;
                while (next < entries.size() && next - start < maxEntries && bytes < maxBytes
                        && xattrBytes < SourceScanner.BATCH_XATTR_BYTES) {
                    xattrBytes += entries.get(next).xattrs().bytes();
                    bytes += entries.get(next++).size();
                }
                return new Batch(new ArrayList<>(entries.subList(start, next)), new ArrayList<>(sources.subList(start, next)));
            }

            @Override
            public boolean tree() {
                return entries.size() > 1;
            }

            @Override
            public List<String> skipped() {
                return skipped;
            }
        };
    }
}
