package io.dwcp.engine.receive;

import io.dwcp.core.DwcpException;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.zerocopy.FileStat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What waits for COMMIT: hard links (their first name must be complete) and the directories' modes and mtimes,
 * set last and deepest first so that making their contents does not disturb them, and only where they differ. Both lists grow with the
 * directories and extra link names of a tree, not with its files.
 */
final class TreeCommitter {
    private final StorageRoot root;
    private final String dest;
    private final List<Entry> dirs = new ArrayList<>();
    private final List<Entry> hardLinks = new ArrayList<>();
    /** Directories whose names or metadata {@link #commit} changed (for flushing them where there is no syncfs). */
    private final Set<String> touched = new LinkedHashSet<>();
    private boolean changedOutsideFiles;

    TreeCommitter(StorageRoot root, String dest) {
        this.root = root;
        this.dest = dest;
    }

    void dir(Entry e) {
        dirs.add(e);
    }

    void hardLink(Entry e) {
        hardLinks.add(e);
    }

    /** Makes the hard links, then sets directory metadata; a failure is reported by name and the rest goes on. */
    List<String> commit() {
        List<String> failed = new ArrayList<>();
        for (Entry e : hardLinks) {
            try {
                makeHardLink(e);
            } catch (DwcpException ex) {
                failed.add(ex.getMessage());
            }
        }
        // DEST itself (the empty path) last of all.
        dirs.sort(Comparator.comparingInt((Entry e) -> e.path().isEmpty() ? -1 : depth(e.path())).reversed());
        for (Entry e : dirs) {
            try {
                // Owner-writable until now: the server had to create things inside.
                String p = e.path().isEmpty() ? root.check(dest) : root.resolve(dest, e.path());
                String shown = e.path().isEmpty() ? "." : e.path();
                // One stat instead of three calls that resolve the path: on a re-sync most directories already
                // match, and untouched ones need no flush either.
                FileStat now = root.stat(p, shown).orElse(null);
                if (now != null && now.isDirectory() && root.hasMetadata(now, e, false)) {
                    continue;
                }
                touched.add(p);
                if (now != null && now.isDirectory()) {
                    root.setDirectoryMetadata(p, now, e, shown);
                } else {
                    root.setMetadata(p, e, false, shown);
                }
            } catch (DwcpException ex) {
                failed.add(ex.getMessage());
            }
        }
        return failed;
    }

    /** The planner changed a link, special file or metadata in place: there is something to flush before DONE. */
    void changedOutsideFiles() {
        changedOutsideFiles = true;
    }

    /**
     * True when the planner or {@link #commit} changed anything but received files (which are flushed as they are
     * renamed): an identical re-sync flushes nothing.
     */
    boolean changedAny() {
        return changedOutsideFiles || !touched.isEmpty();
    }

    /** The directories {@link #commit} touched: parents of new hard links, directories given metadata. */
    Set<String> touchedDirectories() {
        return touched;
    }

    private static int depth(String path) {
        int n = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                n++;
            }
        }
        return n;
    }

    private void makeHardLink(Entry e) throws DwcpException {
        String p = root.resolve(dest, e.path());
        String first = root.resolve(dest, e.linkTarget());
        FileStat target = root.stat(first, e.path()).orElseThrow(
                () -> RelativePaths.refused(e.path(), "hard-link-target-missing target=\"" + e.linkTarget() + "\""));
        FileStat here = root.stat(p, e.path()).orElse(null);
        if (here != null && here.inode() == target.inode() && here.device() == target.device()) {
            return; // already the same file
        }
        if (here != null && here.isDirectory()) {
            throw RelativePaths.refused(e.path(), "exists-as-directory");
        }
        root.ensureParents(p, e.path());
        touched.add(DurableRenames.parent(p));
        String tmp = RelativePaths.partPath(p);
        root.deleteQuietly(tmp);
        root.link(first, tmp, e.path());
        root.rename(tmp, p, e.path());
    }
}
