package io.dwcp.engine.send;

import io.dwcp.core.manifest.Entry;
import java.nio.file.Path;
import java.util.List;

/**
 * What a send offers: entries in offer order and, index for index, the local file behind each FILE entry
 * (null for dirs and links). {@code skipped} lists what the scan left out and why.
 */
public record Manifest(List<Entry> entries, List<Path> sources, List<String> skipped) {
    public long totalBytes() {
        long n = 0;
        for (Entry e : entries) {
            n += e.size();
        }
        return n;
    }

    public int fileCount() {
        int n = 0;
        for (Entry e : entries) {
            if (e.kind() == io.dwcp.core.manifest.EntryKind.FILE) {
                n++;
            }
        }
        return n;
    }
}
