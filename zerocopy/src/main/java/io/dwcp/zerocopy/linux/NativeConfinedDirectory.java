package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.core.manifest.Xattr;
import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.FileStat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A directory fd ({@code O_RDONLY|O_DIRECTORY}, opened without following links by {@link NativeConfinedRoot}) and the
 * {@code statx}/{@code readlinkat}/{@code getdents64}/{@code listxattrat} calls relative to it. One thread uses it at a
 * time, but not always the same one (a tree walker reads a directory on one thread and opens its children on
 * others), so each call takes its native structures from a small shared pool and gives them back.
 */
final class NativeConfinedDirectory implements ConfinedDirectory {
    private static final int MAX_NAME = CallScratch.MAX_NAME;
    private final int fd;
    private final String path;
    private boolean listed;

    private final boolean xattrAt;

    NativeConfinedDirectory(int fd, String path, boolean xattrAt) {
        this.fd = fd;
        this.path = path;
        this.xattrAt = xattrAt;
    }

    private String shown(String n) {
        return "path=\"" + (path.isEmpty() ? n : path + "/" + n).replace('"', '\'') + "\"";
    }

    /**
     * {@code n} as a C string in {@code into} (a scratch buffer): a single component of 1-255 bytes, with no NUL (the
     * kernel would read a shorter name).
     */
    private static MemorySegment name(MemorySegment into, String n) throws IOException {
        boolean component = !n.isEmpty() && n.indexOf('/') < 0 && n.indexOf('\0') < 0;
        int length = component ? CallScratch.cString(into, n, 0) : -1;
        if (length < 0 || length > MAX_NAME) {
            throw new NativeIoException("statx", Errno.EINVAL, "name=\"" + n.replace('"', '\'') + "\" reason=not-a-name");
        }
        return into;
    }

    private MemorySegment name(CallScratch s, String n) throws IOException {
        return name(s.name, n);
    }

    /** As {@link #name(MemorySegment, String)}, and not {@code .} or {@code ..}: an entry to open or rename. */
    private MemorySegment entry(MemorySegment into, String n, String op) throws IOException {
        if (n.equals(".") || n.equals("..")) {
            throw new NativeIoException(op, Errno.EINVAL, shown(n) + " reason=not-a-name");
        }
        return name(into, n);
    }

    @Override
    public DataFile openRead(String n) throws IOException {
        String child = path.isEmpty() ? n : path + "/" + n;
        CallScratch s = CallScratch.take();
        int fd;
        try {
            MemorySegment leaf = entry(s.name, n, "openat");
            do {
                fd = LinuxFiles.openat(this.fd, leaf, Sys.O_RDONLY | NativeConfinedRoot.FILE_FLAGS, 0);
            } while (fd == -Errno.EINTR);
        } finally {
            s.give();
        }
        if (fd < 0) {
            throw Confinement.refusal("openat", -fd, child);
        }
        return NativeConfinedRoot.opened(fd, child, Sys.O_RDONLY);
    }

    @Override
    public void rename(String from, String to) throws IOException {
        CallScratch s = CallScratch.take();
        try {
            MemorySegment f = entry(s.name, from, "renameat");
            MemorySegment t = entry(s.link, to, "renameat");
            int rc;
            do {
                rc = LinuxFiles.renameat(fd, f, fd, t);
            } while (rc == -Errno.EINTR);
            if (rc < 0) {
                throw Confinement.refusal("renameat", -rc, path.isEmpty() ? from : path + "/" + from);
            }
        } finally {
            s.give();
        }
    }

    @Override
    public Optional<FileStat> stat(String n) throws IOException {
        CallScratch s = CallScratch.take();
        try {
            MemorySegment leaf = name(s, n);
            int rc;
            do {
                rc = LinuxFiles.statx(fd, leaf, Sys.AT_SYMLINK_NOFOLLOW, s.statx);
            } while (rc == -Errno.EINTR);
            if (rc == -Errno.ENOENT) {
                return Optional.empty();
            }
            if (rc < 0) {
                throw new NativeIoException("statx", -rc, shown(n));
            }
            return Optional.of(StatxLayout.read(s.statx, s.statxWords));
        } finally {
            s.give();
        }
    }

    @Override
    public List<Xattr> xattrs(String n, Predicate<String> wanted) throws IOException {
        CallScratch s = CallScratch.take();
        try {
            return NativeXattrs.onLeaf(fd, name(s, n), xattrAt, s.xattrs, shown(n), a -> a.read(wanted));
        } finally {
            s.give();
        }
    }

    @Override
    public String readlink(String n) throws IOException {
        CallScratch s = CallScratch.take();
        try {
            long len = LinuxFiles.readlinkat(fd, name(s, n), s.link);
            if (len < 0) {
                throw new NativeIoException("readlinkat", (int) -len, shown(n));
            }
            byte[] b = new byte[(int) len];
            MemorySegment.copy(s.link, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b, 0, b.length);
            return new String(b, StandardCharsets.UTF_8);
        } finally {
            s.give();
        }
    }

    @Override
    public ConfinedDirectory openDirectory(String n) throws IOException {
        String child = path.isEmpty() ? n : path + "/" + n;
        CallScratch s = CallScratch.take();
        try {
            MemorySegment leaf = name(s, n);
            int d;
            do {
                d = LinuxFiles.openat(fd, leaf, Sys.O_RDONLY | Sys.O_DIRECTORY | Sys.O_NOFOLLOW | Sys.O_CLOEXEC, 0);
            } while (d == -Errno.EINTR);
            if (d < 0) {
                // O_DIRECTORY wins over O_NOFOLLOW: a symlink says ENOTDIR, and is refused as the symlink it is
                int errno = -d;
                if (d == -Errno.ENOTDIR) {
                    errno = Confinement.isSymlink(fd, leaf, s.statx) ? Errno.ELOOP : errno;
                }
                throw Confinement.refusal("openat", errno, child);
            }
            return new NativeConfinedDirectory(d, child, xattrAt);
        } finally {
            s.give();
        }
    }

    @Override
    public void list(Consumer<String> names, Consumer<String> malformed) throws IOException {
        if (listed) {
            // getdents64 reads on from the fd's offset: a second listing would see nothing
            throw new NativeIoException("getdents64", Errno.EINVAL, "path=\"" + path.replace('"', '\'') + "\" reason=listed-once");
        }
        listed = true;
        CallScratch s = CallScratch.take();
        try {
            DirectoryReader.read(fd, path, s.dents(), names, malformed);
        } finally {
            s.give();
        }
    }

    @Override
    public void close() {
        FdCalls.close(fd);
    }
}
