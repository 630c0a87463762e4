package io.dwcp.engine.receive;

import io.dwcp.core.DwcpException;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.manifest.FilterRules;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.engine.storage.StorageRoot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --delete}: remembers the names offered in each directory until the sender says the directory is
 * complete (a LISTED entry), then removes what DEST holds there that was not offered. The sender lists a directory's
 * children together and sends LISTED only for a directory it read without error, so names are held for about one
 * directory at a time, and a directory the sender could not read completely loses nothing. Everything goes through
 * the confined root: nothing outside DEST, no link followed.
 */
final class Deleter {
    private final StorageRoot root;
    private final String dest;
    private final boolean dryRun;
    private final FilterRules spared;
    private final Map<String, Set<String>> open = new HashMap<>();

    /** @param spared the sender's filter rules: what they exclude is not the sender's to delete, as in rsync */
    Deleter(StorageRoot root, String dest, boolean dryRun, FilterRules spared) {
        this.root = root;
        this.dest = dest;
        this.dryRun = dryRun;
        this.spared = spared;
    }

    /** What the sender's rules exclude: kept wherever this deletes. */
    StorageRoot.Spared spared() {
        return spared::excluded;
    }

    /** Records an offered entry, or, for LISTED, deletes the directory's extras and adds their paths to {@code deleted}. */
    void entry(Entry e, List<String> deleted) throws DwcpException {
        if (e.kind() != EntryKind.LISTED) {
            open.computeIfAbsent(e.parent(), k -> new HashSet<>()).add(e.name());
            return;
        }
        String dir = e.path();
        Set<String> keep = open.remove(dir);
        String here = dir.isEmpty() ? root.check(dest) : root.resolve(dest, dir);
        var existing = root.stat(here, dir.isEmpty() ? "." : dir).orElse(null);
        if (existing == null || !existing.isDirectory()) {
            return; // nothing here yet (or a dry run's directory that would be made)
        }
        List<String> names = new ArrayList<>();
        root.list(here, names::add, dir.isEmpty() ? "." : dir);
        names.sort(null);
        for (String name : names) {
            if ((keep != null && keep.contains(name)) || name.endsWith(RelativePaths.PART_SUFFIX)) {
                continue; // offered, or a part file: a transfer's own, never the sender's to delete
            }
            String shown = dir.isEmpty() ? name : dir + "/" + name;
            String path = here.isEmpty() ? name : here + "/" + name;
            if (!spared.isEmpty()) {
                // What the rules exclude is kept at any depth, and the directories holding it with it.
                root.removeTree(path, shown, spared::excluded, dryRun, deleted::add);
                continue;
            }
            if (!dryRun) {
                root.removeTree(path, shown);
            }
            deleted.add(shown);
        }
    }
}
