package io.dwcp.engine.receive;

import io.dwcp.core.DwcpException;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.FileStat;
import java.util.Optional;

/**
 * Looks at what the root holds for a batch of entries, holding the directory of the last look-up open: the entries
 * of a batch come a directory at a time, so each directory is resolved once per batch rather than once per
 * entry. Read-only; the planner drops the held directory whenever it changes the tree itself.
 */
final class Lookups implements AutoCloseable {
    private final StorageRoot root;
    private String dir;
    private ConfinedDirectory handle;
    /** The held directory could not be opened (a link in the way): each entry in it is looked at by its path. */
    private boolean refused;

    Lookups(StorageRoot root) {
        this.root = root;
    }

    /** What is at {@code path} (below the root) itself, or empty when nothing is, or its directory is missing. */
    Optional<FileStat> stat(String path, String shown) throws DwcpException {
        ConfinedDirectory d = directoryOf(path, shown);
        if (refused) {
            return root.stat(path, shown); // says why, naming this entry
        }
        return d == null ? Optional.empty() : root.stat(d, name(path), shown);
    }

    /** The target of the symlink at {@code path}. */
    String readlink(String path, String shown) throws DwcpException {
        ConfinedDirectory d = directoryOf(path, shown);
        if (d == null || refused) {
            return root.readlink(path, shown);
        }
        return root.readlink(d, name(path), shown);
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private ConfinedDirectory directoryOf(String path, String shown) throws DwcpException {
        int slash = path.lastIndexOf('/');
        String parent = slash < 0 ? "" : path.substring(0, slash);
        if (!parent.equals(dir)) {
            close();
            dir = parent;
            try {
                handle = root.openDirectory(parent, shown);
            } catch (DwcpException e) {
                refused = true;
            }
        }
        return handle;
    }

    /** Forget the held directory: the tree changed under it (a directory was made, a link replaced). */
    @Override
    public void close() {
        if (handle != null) {
            handle.close();
        }
        handle = null;
        dir = null;
        refused = false;
    }
}
