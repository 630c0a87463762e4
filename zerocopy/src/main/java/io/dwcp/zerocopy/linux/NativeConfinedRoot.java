package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.FdHolder;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.ConfinedPaths;
import io.dwcp.zerocopy.ConfinedRoot;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.ExtendedAttributes;
import io.dwcp.zerocopy.FileStat;
import io.dwcp.zerocopy.FileSystemFlush;
import io.dwcp.zerocopy.PathRefusedException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@link ConfinedRoot} on the root's {@code O_PATH} directory fd: the parent is resolved by {@link Confinement},
 * the last component is acted on with an {@code *at} call relative to the parent fd, never following it
 * ({@code O_NOFOLLOW}, {@code AT_SYMLINK_NOFOLLOW}, or calls that do not follow by nature: unlinkat, mkdirat,
 * renameat, symlinkat, readlinkat).
 */
public final class NativeConfinedRoot implements ConfinedRoot {
    /** O_NONBLOCK: opening a FIFO planted in the tree must not hang the worker. */
    static final int FILE_FLAGS = Sys.O_NOFOLLOW | Sys.O_CLOEXEC | Sys.O_NONBLOCK;

    private final Path root;
    private final FdHolder holder;
    private final Confinement confinement;
    private final boolean openat2;
    /**
     * Extended attributes through {@code *xattrat} where this kernel has them, else through {@code O_PATH} fds (see
     * {@link NativeXattrs}). Probed when attributes are first used, not at open: most transfers never touch them,
     * and the probe links four calls (about 20 ms at a client's start).
     */
    private final boolean xattrAt;

    private NativeConfinedRoot(Path root, int fd, boolean openat2, boolean xattrAt) {
        this.root = root;
        this.holder = new FdHolder(fd);
        this.confinement = new Confinement(fd, openat2);
        this.openat2 = openat2;
        this.xattrAt = xattrAt;
    }

    /**
     * Opens {@code root} (following it if it is itself a link: the operator chose it) and holds its fd; extended
     * attributes go through the {@code *xattrat} calls where this kernel has them.
     */
    public static NativeConfinedRoot open(Path root, boolean useOpenat2) throws IOException {
        return openFd(root, useOpenat2, true);
    }

    /** As {@link #open(Path, boolean)}, with {@code useXattrAt} false for the {@code O_PATH} route on any kernel. */
    public static NativeConfinedRoot open(Path root, boolean useOpenat2, boolean useXattrAt) throws IOException {
        if (useXattrAt && !NativeXattrs.AT_CALLS) {
            throw new IllegalArgumentException("xattrat=unavailable");
        }
        return openFd(root, useOpenat2, useXattrAt);
    }

    private static NativeConfinedRoot openFd(Path root, boolean useOpenat2, boolean useXattrAt) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = LinuxFiles.openat(Sys.AT_FDCWD, arena.allocateFrom(root.toString()),
                    Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_CLOEXEC, 0);
            if (fd < 0) {
                throw new NativeIoException("openat", -fd, "root=\"" + root + "\"");
            }
            return new NativeConfinedRoot(root, fd, useOpenat2, useXattrAt);
        }
    }

    /**
     * One operation on the last component ({@code leaf}, in {@code scratch.name}), relative to its parent's fd; the
     * call's other native structures come from {@code scratch}.
     */
    private interface LeafOp<T> {
        T apply(int parentFd, MemorySegment leaf, CallScratch scratch) throws IOException;
    }

    private static final MemorySegment DOT = Arena.global().allocateFrom(".");

    private <T> T at(String path, LeafOp<T> op) throws IOException {
        return at(path, false, op);
    }

    /**
     * Runs {@code op} on {@code path}'s last component from the pooled call scratch: a commit renames, stats and
     * times every file of a tree, and each call made an arena, a split of its path and the joined parent (about 1 KB
     * per file on the committing thread). With {@code rootItself} an empty path is the root, reached as {@code .}.
     */
    private <T> T at(String path, boolean rootItself, LeafOp<T> op) throws IOException {
        if (!holder.enter()) {
            throw new java.nio.channels.ClosedChannelException();
        }
        CallScratch scratch = CallScratch.take();
        try {
            boolean root = rootItself && path.isEmpty();
            int parent = root ? holder.fd() : confinement.parent(path, scratch);
            try {
                return op.apply(parent, root ? DOT : scratch.name, scratch);
            } finally {
                if (parent != holder.fd()) {
                    FdCalls.close(parent);
                }
            }
        } finally {
            scratch.give();
            holder.exit();
        }
    }

    private static int retry(IntCall call) {
        int rc;
        do {
            rc = call.run();
        } while (rc == -Errno.EINTR);
        return rc;
    }

    private interface IntCall {
        int run();
    }

    private static void check(int rc, String op, String path) throws IOException {
        if (rc < 0) {
            throw Confinement.refusal(op, -rc, path);
        }
    }

    private NativeFile openFile(String path, int flags, int mode) throws IOException {
        if (confinement.viaOpenat2()) {
            // One call on the whole path, from pooled native structures: a tree's part files cost no allocation
            // per file here (they were about 1.4 KB each: the split, the joined path, an arena).
            String whole = ConfinedPaths.normalized(path);
            if (!holder.enter()) {
                throw new java.nio.channels.ClosedChannelException();
            }
            CallScratch scratch = CallScratch.take();
            try {
                int fd = confinement.openBeneath(whole, flags | FILE_FLAGS, mode, scratch);
                check(fd, "openat2", path);
                return opened(fd, path, flags);
            } finally {
                scratch.give();
                holder.exit();
            }
        }
        return at(path, (dir, leaf, scratch) -> {
            int fd = retry(() -> LinuxFiles.openat(dir, leaf, flags | FILE_FLAGS, mode));
            check(fd, "openat", path);
            return opened(fd, path, flags);
        });
    }

    /** The file just opened at {@code fd}, refused unless it is a regular file. */
    static NativeFile opened(int fd, String path, int flags) throws IOException {
        NativeFile f = new NativeFile(fd, path);
        boolean created = (flags & (Sys.O_CREAT | Sys.O_EXCL)) == (Sys.O_CREAT | Sys.O_EXCL);
        // A file this call created (O_EXCL) is a new regular file: no need to look.
        if (!created && !f.stat().isRegularFile()) {
            f.close();
            throw new NativeIoException("openat", Errno.EINVAL, "path=\"" + path.replace('"', '\'')
                    + "\" reason=not-a-regular-file");
        }
        return f;
    }

    @Override
    public DataFile openRead(String path) throws IOException {
        return openFile(path, Sys.O_RDONLY, 0);
    }

    @Override
    public DataFile openWrite(String path, int mode, boolean exclusive) throws IOException {
        return openFile(path, Sys.O_RDWR | Sys.O_CREAT | (exclusive ? Sys.O_EXCL : 0), mode);
    }

    @Override
    public boolean mkdir(String path, int mode) throws IOException {
        return at(path, (dir, leaf, scratch) -> {
            int rc = retry(() -> LinuxFiles.mkdirat(dir, leaf, mode));
            if (rc == -Errno.EEXIST) {
                MemorySegment st = scratch.statx;
                if (LinuxFiles.statx(dir, leaf, Sys.AT_SYMLINK_NOFOLLOW, st) == 0
                        && StatxLayout.read(st, scratch.statxWords).isDirectory()) {
                    return false;
                }
            }
            check(rc, "mkdirat", path);
            return true;
        });
    }

    @Override
    public void rename(String from, String to) throws IOException {
        int fs = from.lastIndexOf('/');
        if (fs == to.lastIndexOf('/') && from.regionMatches(0, to, 0, Math.max(fs, 0))) {
            // One directory (a part file onto its final name): one resolution of the parent, not two.
            at(from, (dir, fromLeaf, scratch) -> {
                MemorySegment toLeaf = scratch.link;
                if (CallScratch.cString(toLeaf, to, fs + 1) < 0) {
                    check(-Errno.ENAMETOOLONG, "renameat", to);
                }
                check(retry(() -> LinuxFiles.renameat(dir, fromLeaf, dir, toLeaf)), "renameat", from);
                return null;
            });
            return;
        }
        at(from, (fromDir, fromLeaf, a) -> at(to, (toDir, toLeaf, b) -> {
            check(retry(() -> LinuxFiles.renameat(fromDir, fromLeaf, toDir, toLeaf)), "renameat", from);
            return null;
        }));
    }

    @Override
    public void unlink(String path) throws IOException {
        at(path, (dir, leaf, scratch) -> {
            check(retry(() -> LinuxFiles.unlinkat(dir, leaf, 0)), "unlinkat", path);
            return null;
        });
    }

    @Override
    public void rmdir(String path) throws IOException {
        at(path, (dir, leaf, scratch) -> {
            check(retry(() -> LinuxFiles.unlinkat(dir, leaf, Sys.AT_REMOVEDIR)), "unlinkat", path);
            return null;
        });
    }

    @Override
    public Optional<FileStat> stat(String path) throws IOException {
        return at(path, (dir, leaf, scratch) -> {
            int rc = retry(() -> LinuxFiles.statx(dir, leaf, Sys.AT_SYMLINK_NOFOLLOW, scratch.statx));
            if (rc == -Errno.ENOENT) {
                return Optional.empty();
            }
            check(rc, "statx", path);
            return Optional.of(StatxLayout.read(scratch.statx, scratch.statxWords));
        });
    }

    @Override
    public void symlink(String target, String path) throws IOException {
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
            throw new PathRefusedException(target, PathRefusedException.Reason.NUL);
        }
        at(path, (dir, leaf, scratch) -> {
            MemorySegment t = scratch.link;
            if (CallScratch.cString(t, target, 0) < 0) {
                check(-Errno.ENAMETOOLONG, "symlinkat", path);
            }
            check(retry(() -> LinuxFiles.symlinkat(t, dir, leaf)), "symlinkat", path);
            return null;
        });
    }

    @Override
    public String readlink(String path) throws IOException {
        return at(path, (dir, leaf, scratch) -> {
            MemorySegment buf = scratch.link;
            long n = LinuxFiles.readlinkat(dir, leaf, buf);
            if (n < 0) {
                throw Confinement.refusal("readlinkat", (int) -n, path);
            }
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        });
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        at(path, (dir, leaf, scratch) -> {
            // glibc refuses a symlink here (EOPNOTSUPP) rather than following it
            check(retry(() -> LinuxFiles.fchmodat(dir, leaf, mode, Sys.AT_SYMLINK_NOFOLLOW)), "fchmodat", path);
            return null;
        });
    }

    @Override
    public void setTimes(String path, long atimeNanos, long mtimeNanos) throws IOException {
        at(path, (dir, leaf, scratch) -> {
            MemorySegment times = scratch.times();
            NativeFile.Timespecs.write(times, atimeNanos, mtimeNanos);
            check(retry(() -> LinuxFiles.utimensat(dir, leaf, times, Sys.AT_SYMLINK_NOFOLLOW)), "utimensat", path);
            return null;
        });
    }

    @Override
    public void list(String dir, Consumer<String> names) throws IOException {
        try (ConfinedDirectory d = openDirectory(dir)) {
            d.list(names);
        }
    }

    @Override
    public ConfinedDirectory openDirectory(String dir) throws IOException {
        // used outside at(): the parent fd is closed already, and look-ups need only the directory's own fd
        return new NativeConfinedDirectory(directoryFd(dir), dir, xattrAt);
    }

    /** Opens directory {@code dir} ("" is the root) {@code O_RDONLY}, refusing a symlink at it; the caller closes. */
    private int directoryFd(String dir) throws IOException {
        return at(dir, true, (parent, leaf, scratch) -> {
            int d = retry(() -> LinuxFiles.openat(parent, leaf, Sys.O_RDONLY | Sys.O_DIRECTORY | Sys.O_NOFOLLOW
                    | Sys.O_CLOEXEC, 0));
            // O_DIRECTORY wins over O_NOFOLLOW: a symlink says ENOTDIR, and is refused as the symlink it is
            check(d == -Errno.ENOTDIR && Confinement.isSymlink(parent, leaf, scratch.statx) ? -Errno.ELOOP : d, "openat", dir);
            return d;
        });
    }

    @Override
    public void chown(String path, int uid, int gid) throws IOException {
        at(path, (dir, leaf, scratch) -> {
            check(retry(() -> LinuxTree.fchownat(dir, leaf, uid, gid, Sys.AT_SYMLINK_NOFOLLOW)), "fchownat", path);
            return null;
        });
    }

    @Override
    public void link(String existing, String newPath) throws IOException {
        at(existing, (fromDir, fromLeaf, a) -> at(newPath, (toDir, toLeaf, b) -> {
            // flags 0: a symlink at existing is linked itself, never what it points to
            int rc = retry(() -> LinuxTree.linkat(fromDir, fromLeaf, toDir, toLeaf, 0));
            if (rc < 0) {
                throw new NativeIoException("linkat", -rc, "from=\"" + existing.replace('"', '\'') + "\" to=\""
                        + newPath.replace('"', '\'') + "\"");
            }
            return null;
        }));
    }

    @Override
    public void mknod(String path, int mode, long device) throws IOException {
        at(path, (dir, leaf, scratch) -> {
            check(retry(() -> LinuxTree.mknodat(dir, leaf, mode, device)), "mknodat", path);
            return null;
        });
    }

    @Override
    public <T> T withXattrs(String path, ExtendedAttributes.Use<T> use) throws IOException {
        return at(path, (dir, leaf, scratch) -> NativeXattrs.onLeaf(dir, leaf, xattrAt,
                scratch.xattrs, "path=\"" + path.replace('"', '\'') + "\"", use));
    }

    @Override
    public void syncParent(String path) throws IOException {
        syncDirectory(ConfinedPaths.parentOf(ConfinedPaths.split(path)));
    }

    @Override
    public void syncDirectory(String relativeDir) throws IOException {
        // an O_PATH fd (the root's, a resolved parent's) cannot be fsynced: the directory is opened for reading
        int fd = directoryFd(relativeDir);
        try {
            check(retry(() -> LinuxFiles.fsync(fd, true)), "fsync", relativeDir);
        } finally {
            FdCalls.close(fd);
        }
    }

    @Override
    public FileSystemFlush openFileSystemFlush() throws IOException {
        if (!LinuxFiles.syncfsLinked()) {
            return null;
        }
        return new NativeFileSystemFlush(directoryFd(""), root.toString());
    }

    @Override
    public String describe() {
        return "confine=" + (openat2 ? "openat2" : "walk") + " xattrs=" + (xattrAt && NativeXattrs.AT_CALLS ? "xattrat" : "o_path") + " root="
                + root;
    }

    @Override
    public void close() {
        holder.close();
    }
}
