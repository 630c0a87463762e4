package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.core.manifest.Xattr;
import io.dwcp.core.manifest.XattrPolicy;
import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.ConfinedRoot;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.FileStat;
import io.dwcp.zerocopy.FileSystemFlush;
import io.dwcp.zerocopy.PathRefusedException;
import java.io.IOException;
import io.dwcp.zerocopy.select.IoPaths;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The receiving side's root directory. Network paths are checked lexically ({@link RelativePaths}) and then
 * every operation goes through a {@link ConfinedRoot}, which resolves them from the root's directory fd without
 * following any symlink ({@code openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS)}): a local user who swaps a
 * directory for a link between our check and our write cannot make us write outside the root. Failures come
 * back as {@link DwcpException}s naming the path as the sender wrote it.
 */
public final class StorageRoot implements AutoCloseable {
    private final ConfinedRoot root;
    private final Path display;
    private final int maxPathBytes;
    /** Names go through java.nio paths, which encode them in the JVM's locale charset (the portable root). */
    private final boolean jdkNames;
    private final boolean keepsOwners = runsAsRoot();
    private final MetadataApplier metadata;

    private StorageRoot(ConfinedRoot root, Path display, int maxPathBytes, boolean jdkNames) {
        this.root = root;
        this.display = display;
        this.maxPathBytes = maxPathBytes;
        this.jdkNames = jdkNames;
        this.metadata = new MetadataApplier(root, keepsOwners,
                keepsOwners && !jdkNames ? XattrPolicy.PRIVILEGED : XattrPolicy.USER_ONLY);
    }

    /** Opens {@code root} through the I/O path's confinement (openat2, a component walk, or the portable one). */
    public static StorageRoot open(IoPaths io, Path root, int maxPathBytes) throws IOException {
        return new StorageRoot(io.openRoot(root), root, maxPathBytes, io.confinement() == IoPaths.Confinement.PORTABLE);
    }

    /** The root as the operator named it, for logs. */
    public Path display() {
        return display;
    }

    /** {@code confine=openat2 root=...}. */
    public String describe() {
        return root.describe();
    }

    /** Joins a destination prefix and an entry path into one checked relative path. */
    public String resolve(String dest, String relative) throws DwcpException {
        return check(dest.isEmpty() ? relative : dest + "/" + relative);
    }

    /** Checks {@code relative} lexically; the empty string is the root itself. */
    public String check(String relative) throws DwcpException {
        if (relative.isEmpty()) {
            return relative;
        }
        RelativePaths.check(relative, maxPathBytes);
        if (jdkNames) {
            try {
                display.resolve(relative);
            } catch (InvalidPathException e) {
                // The JVM encodes file names in its locale's charset; under a non-UTF-8 one (no LANG at all, say)
                // most non-ASCII names have no encoding. The native path passes UTF-8 bytes and has no such limit.
                throw RelativePaths.refused(relative, "name-not-representable charset="
                        + System.getProperty("sun.jnu.encoding") + " hint=\"run the server under a UTF-8 locale\"");
            }
        }
        return relative;
    }

    /** Makes every ancestor of {@code path} exist as a real directory (never through a link). */
    public void ensureParents(String path, String shown) throws DwcpException {
        int slash = path.indexOf('/');
        while (slash >= 0) {
            ensureDirectory(path.substring(0, slash), shown);
            slash = path.indexOf('/', slash + 1);
        }
    }

    /**
     * Makes {@code dir} exist as a real directory, or throws a PATH error naming {@code shown}. Something else
     * may come and go under that name meanwhile (a local user renaming things): a few rounds settle it.
     */
    public void ensureDirectory(String dir, String shown) throws DwcpException {
        if (dir.isEmpty()) {
            return;
        }
        ensureMade(dir, shown, false);
    }

    /**
     * Makes {@code dir}, which was not there, and its parents only if it turns out to lack some: a tree's
     * directories arrive parents first, so one {@code mkdirat} usually does it (making every ancestor again cost
     * a failed {@code mkdirat} and a {@code statx} per level: about five of each per directory of the generated
     * tree). True when this call made it, so the caller knows it is empty; false when something made it meanwhile.
     */
    public boolean makeDirectory(String dir, String shown) throws DwcpException {
        if (dir.isEmpty()) {
            return false;
        }
        return ensureMade(dir, shown, true);
    }

    /**
     * The rounds that make {@code dir} a real directory; true when one of them made it. {@code parentsMayLack}: a
     * first failure makes the parents and starts the rounds again rather than looking at what is there.
     */
    private boolean ensureMade(String dir, String shown, boolean parentsMayLack) throws DwcpException {
        IOException failed = null;
        for (int round = 0; round < 3; round++) {
            try {
                if (root.mkdir(dir, 0755)) {
                    return true;
                }
            } catch (PathRefusedException e) {
                throw failure(shown, "mkdir", e);
            } catch (IOException e) {
                failed = e; // EEXIST for a file or link in the way, ENOENT for a missing parent, or a real failure
                if (parentsMayLack) {
                    parentsMayLack = false;
                    ensureParents(dir, shown);
                    round = -1;
                    continue;
                }
            }
            FileStat s = stat(dir, shown).orElse(null);
            if (s != null && s.isDirectory()) {
                return false;
            }
            if (s != null) {
                throw RelativePaths.refused(shown, (s.isSymbolicLink() ? "symlink-in-path" : "not-a-directory")
                        + " at=" + dir);
            }
        }
        throw failure(shown, "mkdir", failed != null ? failed : new IOException("vanished"));
    }

    /** What is at {@code path} itself (a link is not followed), or empty. */
    public Optional<FileStat> stat(String path, String shown) throws DwcpException {
        try {
            return root.stat(path);
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                return Optional.empty(); // a missing parent: nothing is there yet
            }
            throw failure(shown, "stat", e);
        } catch (IOException e) {
            throw failure(shown, "stat", e);
        }
    }

    /**
     * Directory {@code dir} held open for look-ups by name (see {@link ConfinedDirectory}), or null when nothing is
     * there yet; a link or a non-directory in the way is refused as {@link #stat} refuses it.
     */
    public ConfinedDirectory openDirectory(String dir, String shown) throws DwcpException {
        try {
            return root.openDirectory(dir);
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw failure(shown, "open-directory", e);
        } catch (IOException e) {
            throw failure(shown, "open-directory", e);
        }
    }

    /** What is at {@code name} in {@code dir} itself, or empty. */
    public Optional<FileStat> stat(ConfinedDirectory dir, String name, String shown) throws DwcpException {
        try {
            return dir.stat(name);
        } catch (IOException e) {
            throw failure(shown, "stat", e);
        }
    }

    /** The target of the symlink {@code name} in {@code dir}. */
    public String readlink(ConfinedDirectory dir, String name, String shown) throws DwcpException {
        try {
            return dir.readlink(name);
        } catch (IOException e) {
            throw failure(shown, "readlink", e);
        }
    }

    /** The extended attributes of {@code path} itself that {@code wanted} accepts, sorted by name. */
    public List<Xattr> xattrs(String path, String shown, Predicate<String> wanted) throws DwcpException {
        try {
            return root.withXattrs(path, a -> a.read(wanted));
        } catch (IOException e) {
            throw failure(shown, "read-xattrs", e);
        }
    }

    /** The extended attributes of {@code name} in {@code dir} itself that {@code wanted} accepts. */
    public List<Xattr> xattrs(ConfinedDirectory dir, String name, String shown, Predicate<String> wanted)
            throws DwcpException {
        try {
            return dir.xattrs(name, wanted);
        } catch (IOException e) {
            throw failure(shown, "read-xattrs", e);
        }
    }

    public DataFile openRead(String path, String shown) throws DwcpException {
        try {
            return root.openRead(path);
        } catch (IOException e) {
            throw failure(shown, "open", e);
        }
    }

    /** Opens {@code name} in {@code dir} for reading (see {@link ConfinedDirectory#openRead}). */
    public DataFile openRead(ConfinedDirectory dir, String name, String shown) throws DwcpException {
        try {
            return dir.openRead(name);
        } catch (IOException e) {
            throw failure(shown, "open", e);
        }
    }

    /**
     * An existing part file, opened to go on writing it (a resumed transfer); never a link, never truncated.
     */
    public DataFile openPart(String path, int mode, String shown) throws DwcpException {
        try {
            return root.openWrite(path, mode, false);
        } catch (IOException e) {
            throw failure(shown, "open", e);
        }
    }

    /** A new file that must not exist yet (a part file): a leftover under the reserved name is replaced. */
    public DataFile createExclusive(String path, int mode, String shown) throws DwcpException {
        try {
            try {
                return root.openWrite(path, mode, true);
            } catch (NativeIoException | PathRefusedException e) {
                if (e instanceof NativeIoException n && n.errno() != Errno.EEXIST
                        || e instanceof PathRefusedException r && r.reason() != PathRefusedException.Reason.SYMLINK_IN_PATH) {
                    throw e;
                }
                // Something is under our reserved name: a leftover part file, or a link planted there. It is ours to
                // replace (never to follow); a link further up the path is refused by the stat itself.
                FileStat s = root.stat(path).orElse(null);
                if (s == null || s.isDirectory()) {
                    throw e;
                }
                root.unlink(path);
                return root.openWrite(path, mode, true);
            }
        } catch (IOException e) {
            throw failure(shown, "open", e);
        }
    }

    public void rename(String from, String to, String shown) throws DwcpException {
        try {
            root.rename(from, to);
        } catch (IOException e) {
            throw failure(shown, "rename", e);
        }
    }

    /** Renames {@code from} to {@code to}, both names in {@code dir} (see {@link ConfinedDirectory#rename}). */
    public void rename(ConfinedDirectory dir, String from, String to, String shown) throws DwcpException {
        try {
            dir.rename(from, to);
        } catch (IOException e) {
            throw failure(shown, "rename", e);
        }
    }

    /**
     * A handle that flushes the whole file system under the root at once ({@code syncfs}), or null where the I/O
     * path has none (then files are forced one by one). The caller closes it.
     */
    public FileSystemFlush openFileSystemFlush() throws DwcpException {
        try {
            return root.openFileSystemFlush();
        } catch (IOException e) {
            throw failure(".", "open-flush", e);
        }
    }

    /** Flushes directory {@code dir} ("" is the root), so the names renamed into it survive a crash. */
    public void syncDirectory(String dir, String shown) throws DwcpException {
        try {
            root.syncDirectory(dir);
        } catch (IOException e) {
            throw failure(shown, "directory-sync", e);
        }
    }

    /** Removes the file, link or node at {@code path}; a directory is refused (the system call refuses it). */
    public void unlink(String path, String shown) throws DwcpException {
        try {
            root.unlink(path);
        } catch (IOException e) {
            throw failure(shown, "unlink", e);
        }
    }

    /** Removes the directory at {@code path} if it is empty; false when it holds anything (it then stays). */
    public boolean rmdirIfEmpty(String path, String shown) throws DwcpException {
        try {
            root.rmdir(path);
            return true;
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            return false;
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENOTEMPTY || e.errno() == Errno.EEXIST) {
                return false;
            }
            throw failure(shown, "rmdir", e);
        } catch (IOException e) {
            throw failure(shown, "rmdir", e);
        }
    }

    /** Whether the directory at {@code path} holds nothing. */
    public boolean isEmptyDirectory(String path, String shown) throws DwcpException {
        boolean[] any = {false};
        list(path, n -> any[0] = true, shown);
        return !any[0];
    }

    /** Removes a file or link if it is there; quiet, for clean-up paths. */
    public void deleteQuietly(String path) {
        try {
            root.unlink(path);
        } catch (IOException ignored) {
            // already gone, or never made: nothing to clean up
        }
    }

    public void symlink(String target, String path, String shown) throws DwcpException {
        try {
            root.symlink(target, path);
        } catch (IOException e) {
            throw failure(shown, "symlink", e);
        }
    }

    /**
     * Gives {@code path} itself the entry's metadata (see {@link MetadataApplier}): owner and group when this process
     * may ({@link #keepsOwners}), extended attributes when the entry carries them, the permission bits (not on a
     * symlink), then the mtime.
     */
    public void setMetadata(String path, Entry e, boolean link, String shown) throws DwcpException {
        metadata.apply(path, e, link, shown);
    }

    /**
     * {@link #setMetadata(String, Entry, boolean, String)} for a directory found as {@code now}, setting only the
     * mode and mtime that differ when its owner needs no change.
     */
    public void setDirectoryMetadata(String path, FileStat now, Entry e, String shown) throws DwcpException {
        metadata.applyDiffering(path, now, e, shown);
    }

    /** {@link #setMetadata(String, Entry, boolean, String)} through an open file: no path to resolve again. */
    public void setMetadata(DataFile f, Entry e) throws DwcpException {
        metadata.apply(f, e);
    }

    /**
     * True when {@code s} already has what {@link #setMetadata} would give it from {@code e}: its permission bits
     * (unless a link), its mtime to the nanosecond, and, where this process keeps owners, its owner and group.
     * Extended attributes are not looked at: a directory's are set when it is planned.
     */
    public boolean hasMetadata(FileStat s, Entry e, boolean link) {
        return metadata.ownersMatch(s, e) && (link || (s.mode() & 07777) == (e.mode() & 07777))
                && s.mtimeNanos() == e.mtimeNanos();
    }

    /** Only the entry's extended attributes, on {@code path} itself (a directory's, as soon as it is planned). */
    public void setXattrs(String path, Entry e, String shown) throws DwcpException {
        metadata.applyXattrs(path, e, shown);
    }

    /**
     * The extended attributes this receiver applies and removes: every namespace but {@code system.*} as root on the
     * native path, else {@code user.*} only (an unprivileged process may write no other, nor can the JDK reach one).
     */
    public XattrPolicy xattrPolicy() {
        return metadata.policy();
    }

    /**
     * True when this process runs as root, so received files get the sender's owner and group and devices can be
     * made, as rsync does; otherwise files belong to the server's user.
     */
    public boolean keepsOwners() {
        return keepsOwners;
    }

    /** Calls {@code names} with each name in directory {@code dir} (never through a link). */
    public void list(String dir, java.util.function.Consumer<String> names, String shown) throws DwcpException {
        try {
            root.list(dir, names);
        } catch (IOException e) {
            throw failure(shown, "list", e);
        }
    }

    /**
     * Removes {@code path} and, for a directory, everything below it; links are removed, never followed, and every
     * step is resolved from the root's fd, so a directory swapped for a link meanwhile cannot lead out of the root.
     * Returns how many entries were removed.
     */
    public long removeTree(String path, String shown) throws DwcpException {
        FileStat s = stat(path, shown).orElse(null);
        if (s == null) {
            return 0;
        }
        try {
            if (!s.isDirectory()) {
                root.unlink(path);
                return 1;
            }
            java.util.List<String> children = new java.util.ArrayList<>();
            root.list(path, children::add);
            long n = 0;
            for (String c : children) {
                n += removeTree(path + "/" + c, shown);
            }
            root.rmdir(path);
            return n + 1;
        } catch (IOException e) {
            throw failure(shown, "delete", e);
        }
    }

    /** Which entries a filtered {@link #removeTree(String, String, Spared, boolean, java.util.function.Consumer)} keeps. */
    @FunctionalInterface
    public interface Spared {
        boolean test(String shown, boolean directory);
    }

    /**
     * As {@link #removeTree(String, String)}, but an entry {@code spared} names, anywhere below, is kept, and so is
     * every directory above one (it is not empty), as rsync's {@code --delete} keeps what the filter rules exclude;
     * part files are kept too (a transfer's own). Each entry removed (or, with {@code dryRun}, that would be) goes to
     * {@code removed}, contents before their directory. Returns whether {@code path} itself went.
     */
    public boolean removeTree(String path, String shown, Spared spared, boolean dryRun,
                              java.util.function.Consumer<String> removed) throws DwcpException {
        FileStat s = stat(path, shown).orElse(null);
        if (s == null) {
            return true;
        }
        if (spared.test(shown, s.isDirectory()) || path.endsWith(RelativePaths.PART_SUFFIX)) {
            return false;
        }
        try {
            if (s.isDirectory()) {
                java.util.List<String> children = new java.util.ArrayList<>();
                root.list(path, children::add);
                children.sort(null);
                boolean empty = true;
                for (String c : children) {
                    empty &= removeTree(path + "/" + c, shown + "/" + c, spared, dryRun, removed);
                }
                if (!empty) {
                    return false;
                }
                if (!dryRun) {
                    root.rmdir(path);
                }
            } else if (!dryRun) {
                root.unlink(path);
            }
            removed.accept(shown);
            return true;
        } catch (IOException e) {
            throw failure(shown, "delete", e);
        }
    }

    /** Makes {@code path} another name for the file at {@code existing} (a hard link; neither is followed). */
    public void link(String existing, String path, String shown) throws DwcpException {
        try {
            root.link(existing, path);
        } catch (IOException e) {
            throw failure(shown, "link", e);
        }
    }

    /** Makes a FIFO or device node ({@code mode} includes the type bits). */
    public void mknod(String path, int mode, long device, String shown) throws DwcpException {
        try {
            root.mknod(path, mode, device);
        } catch (IOException e) {
            throw failure(shown, "mknod", e);
        }
    }

    /** The target text of the symlink at {@code path}. */
    public String readlink(String path, String shown) throws DwcpException {
        try {
            return root.readlink(path);
        } catch (IOException e) {
            throw failure(shown, "readlink", e);
        }
    }

    private static boolean runsAsRoot() {
        try {
            return Integer.valueOf(0).equals(java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false; // no /proc, or no unix view: not a Linux root we can recognise
        }
    }

    static DwcpException failure(String shown, String op, IOException e) {
        if (e instanceof DwcpException d) {
            return d;
        }
        if (e instanceof PathRefusedException r) {
            String reason = r.reason() == PathRefusedException.Reason.SYMLINK_IN_PATH ? "symlink-in-path"
                    : r.reason() == PathRefusedException.Reason.NOT_A_DIRECTORY ? "not-a-directory" : "outside-root";
            return RelativePaths.refused(shown, reason);
        }
        return new DwcpException(ErrorCode.IO, "path=\"" + shown + "\" reason=" + op + "-failed detail=\""
                + e.getMessage() + "\"", e); // the cause tells StoreFailures whose failure it is
    }

    @Override
    public void close() throws IOException {
        root.close();
    }
}
