package io.dwcp.zerocopy;

import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A directory every network-supplied path is resolved in, and never out of. Paths are relative, use
 * {@code /} between components, and may not contain {@code ..}; no symlink is followed anywhere in them (a
 * symlink in the tree is an object of its own: it can be created, read and removed, never traversed). A refused
 * path is a {@link PathRefusedException}; other failures are {@link io.dwcp.core.linux.NativeIoException}
 * (e.g. {@code errno=ENOENT} for a missing parent, {@code errno=ENOSPC}).
 *
 * <p>The native implementation holds the root's directory fd and resolves each path's parent with
 * {@code openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS)} (or a component walk with {@code O_NOFOLLOW}), then acts
 * on the last component relative to that parent fd, so a directory swapped for a symlink mid-way cannot
 * redirect the operation. The portable implementation checks with {@code NOFOLLOW_LINKS} and is racy.
 */
public interface ConfinedRoot extends Closeable {
    /** Opens an existing regular file for reading. */
    DataFile openRead(String path) throws IOException;

    /**
     * Opens a regular file for reading and writing, creating it with {@code mode} if missing; never truncates
     * (a part file being resumed keeps its bytes). With {@code exclusive}, an existing file is EEXIST.
     */
    DataFile openWrite(String path, int mode, boolean exclusive) throws IOException;

    /** Creates a directory; false when it already exists as a directory. */
    boolean mkdir(String path, int mode) throws IOException;

    /** Renames within the root, replacing the target (the part file onto its final name). */
    void rename(String from, String to) throws IOException;

    /** Removes a file or symlink (not what it points to). */
    void unlink(String path) throws IOException;

    /** Removes an empty directory. */
    void rmdir(String path) throws IOException;

    /** What is at {@code path} itself (lstat), or empty when nothing is. */
    Optional<FileStat> stat(String path) throws IOException;

    /** Creates a symlink at {@code path} holding {@code target} verbatim (it is stored, not resolved). */
    void symlink(String target, String path) throws IOException;

    /** The target text of the symlink at {@code path}. */
    String readlink(String path) throws IOException;

    /** Sets permission bits of {@code path} itself (refused for a symlink). */
    void chmod(String path, int mode) throws IOException;

    /** Sets times of {@code path} itself (of the link, for a symlink), in nanoseconds since the epoch. */
    void setTimes(String path, long atimeNanos, long mtimeNanos) throws IOException;

    /**
     * Calls {@code names} with the name of every entry in the directory {@code dir} ({@code ""} is the root itself),
     * except {@code .} and {@code ..}, in no particular order, as they are read: nothing is collected, so a huge
     * directory costs no memory. A symlink at {@code dir} is refused like one in the path, never listed through.
     * Names are the raw bytes decoded as UTF-8. What {@code names} throws ends the listing and propagates.
     */
    void list(String dir, Consumer<String> names) throws IOException;

    /**
     * Sets owner and group of {@code path} itself (of the link, for a symlink: lchown); -1 for either leaves it
     * as it is. Anything but one's own ids needs privilege ({@code errno=EPERM} otherwise).
     */
    void chown(String path, int uid, int gid) throws IOException;

    /**
     * Makes {@code newPath} a hard link to {@code existing}; a symlink at {@code existing} is linked itself, not
     * what it points to. Both paths are confined; {@code errno=EXDEV} across mounts, EEXIST onto a name in use.
     */
    void link(String existing, String newPath) throws IOException;

    /**
     * Creates a special file: {@code mode} is a type ({@link FileStat#S_IFIFO}, {@link FileStat#S_IFCHR},
     * {@link FileStat#S_IFBLK}) with permission bits (the umask applies), {@code device} a Linux {@code dev_t}
     * ({@link FileStat#makedev}) for a device, else 0. Devices need privilege. The portable implementation cannot
     * and always fails with {@code op=mknod reason=unsupported-on-portable-path}.
     */
    void mknod(String path, int mode, long device) throws IOException;

    /** Flushes the directory holding {@code path} (after renames, so they survive a crash). */
    void syncParent(String path) throws IOException;

    /**
     * Flushes directory {@code relativeDir} itself ({@code ""} is the root) with {@code fsync}, so the names
     * created, renamed or removed in it survive a crash. The directory is opened like every other path here:
     * confined, no symlink followed, a symlink or a non-directory at {@code relativeDir} refused like one in
     * the path ({@link PathRefusedException}).
     */
    void syncDirectory(String relativeDir) throws IOException;

    /**
     * A handle that flushes the whole file system holding the root ({@code syncfs}, see {@link FileSystemFlush}),
     * or null where this I/O path has no such call (the portable one): then each file is forced by itself. The
     * handle holds a directory fd of its own (the root's {@code O_PATH} fd cannot be synced); the caller closes it.
     */
    FileSystemFlush openFileSystemFlush() throws IOException;

    /**
     * Runs {@code use} on the extended attributes of {@code path} itself (the link, for a symlink): the parent is
     * resolved as for every other path here and the last component is never followed. The portable implementation
     * reaches {@code user.*} only, on regular files and directories.
     */
    <T> T withXattrs(String path, ExtendedAttributes.Use<T> use) throws IOException;

    /** {@code confine=openat2 root=/srv/dwcp}. */
    String describe();

    /**
     * Opens directory {@code path} ("" is the root) for look-ups by name; refused like {@link #list} for a link or
     * a non-directory. The caller closes it.
     */
    ConfinedDirectory openDirectory(String path) throws IOException;
}
