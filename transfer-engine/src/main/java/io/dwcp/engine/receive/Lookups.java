package io.dwcp.engine.receive;

import io.dwcp.core.DwcpException;
import io.dwcp.core.manifest.Xattr;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.FileStat;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

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

    /** The regular file at {@code path}, opened for reading from its held directory. */
    DataFile openRead(String path, String shown) throws DwcpException {
        ConfinedDirectory d = directoryOf(path, shown);
        if (d == null || refused) {
            return root.openRead(path, shown); // says why, naming this entry
        }
        return root.openRead(d, name(path), shown);
    }

    /** The target of the symlink at {@code path}. */
    String readlink(String path, String shown) throws DwcpException {
        ConfinedDirectory d = directoryOf(path, shown);
        if (d == null || refused) {
            return root.readlink(path, shown);
        }
        return root.readlink(d, name(path), shown);
    }

    /** The extended attributes of {@code path} itself that {@code wanted} accepts. */
    List<Xattr> xattrs(String path, String shown, Predicate<String> wanted) throws DwcpException {
        ConfinedDirectory d = directoryOf(path, shown);
        if (d == null || refused) {
            return root.xattrs(path, shown, wanted);
        }
        return root.xattrs(d, name(path), shown, wanted);
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
