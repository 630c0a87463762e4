package io.dwcp.engine.receive;

import io.dwcp.core.DwcpException;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.engine.storage.IncomingFile;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.zerocopy.FileStat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** At COMMIT, what is left once every file is in place: the symlinks, then the directories' modes and mtimes. */
final class TreeCommitter {
    private final StorageRoot root;

    TreeCommitter(StorageRoot root) {
        this.root = root;
    }

    void commit(String dest, List<Entry> entries) throws DwcpException {
        List<Integer> dirs = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.kind() == EntryKind.SYMLINK) {
                makeLink(dest, e);
            } else if (e.kind() == EntryKind.DIR) {
                dirs.add(i);
            }
        }
        // Deepest first, so that setting a child's metadata does not disturb its parent's mtime afterwards.
        dirs.sort(Comparator.comparingInt((Integer i) -> entries.get(i).path().split("/").length).reversed());
        for (int i : dirs) {
            Entry e = entries.get(i);
            root.setMetadata(root.resolve(dest, e.path()), e.mode() | 0700, e.mtimeMillis(), false, e.path());
        }
    }

    private void makeLink(String dest, Entry e) throws DwcpException {
        String p = root.resolve(dest, e.path());
        root.ensureParents(p, e.path());
        FileStat a = root.stat(p, e.path()).orElse(null);
        if (a != null && a.isDirectory()) {
            throw RelativePaths.refused(e.path(), "exists-as-directory");
        }
        // Made under the reserved part name and renamed over the target: a reader never sees a half-made link.
        String tmp = p + IncomingFile.PART_SUFFIX;
        root.deleteQuietly(tmp);
        root.symlink(e.linkTarget(), tmp, e.path());
        root.setMetadata(tmp, 0, e.mtimeMillis(), true, e.path());
        root.rename(tmp, p, e.path());
    }
}
