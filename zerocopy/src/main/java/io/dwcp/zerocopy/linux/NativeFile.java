package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.FdHolder;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.ExtendedAttributes;
import io.dwcp.zerocopy.FileStat;
import io.dwcp.zerocopy.MappedRegion;
import io.dwcp.zerocopy.UserCopy;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;

/**
 * A file as a raw fd: {@code pread}/{@code pwrite} on off-heap memory, {@code fallocate}, {@code ftruncate},
 * {@code fsync}, {@code statx} and {@code mmap}. This is what {@code sendfile} and {@code splice} take, and what
 * the JDK cannot give (no public API wraps an fd in a {@code FileChannel}).
 */
public final class NativeFile implements DataFile {
    private static final MemorySegment EMPTY_PATH = Arena.global().allocateFrom("");

    private final FdHolder holder;
    private final int fd;
    /** The path the file was opened by, for error messages only. */
    private final String path;

    /** Takes ownership of {@code fd}; {@code path} names the file in error messages. */
    NativeFile(int fd, String path) {
        this.fd = fd;
        this.path = path;
        this.holder = new FdHolder(fd);
    }

    /** {@code path="..."}: made when a message needs it, not per file opened. */
    private String label() {
        return "path=\"" + path.replace('"', '\'') + "\"";
    }

    /** Opens a file by plain path (no confinement: for files the local user named). */
    public static NativeFile open(Path path, boolean write, boolean create) throws IOException {
        return open(path, (write ? Sys.O_RDWR : Sys.O_RDONLY) | (create ? Sys.O_CREAT : 0) | Sys.O_CLOEXEC);
    }

    /**
     * Opens a file a walk found, to read and send it. What a walk saw can change before it is opened: a symlink put
     * in its place is not followed (that would send what the link points at under the file's name: ELOOP), and a
     * FIFO is not waited on (O_NONBLOCK), as the server's confined opens do. The caller checks the type with the
     * {@link #stat()} it makes anyway for the size, so the open costs no second {@code fstat}.
     */
    public static NativeFile openSource(Path path) throws IOException {
        return open(path, Sys.O_RDONLY | Sys.O_CLOEXEC | Sys.O_NOFOLLOW | Sys.O_NONBLOCK);
    }

    /**
     * A new file with no name, in the file system of directory {@code dir} ({@code O_TMPFILE}): it goes with its
     * last fd, so a process killed while it holds one leaves nothing behind.
     */
    static NativeFile openAnonymous(Path dir) throws IOException {
        return open(dir, Sys.O_TMPFILE | Sys.O_RDWR | Sys.O_CLOEXEC);
    }

    private static NativeFile open(Path path, int flags) throws IOException {
        return new NativeFile(openFd(path, flags), path.toString());
    }

    private static int openFd(Path path, int flags) throws IOException {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path.toString());
            do {
                fd = LinuxFiles.openat(Sys.AT_FDCWD, p, flags, 0644);
            } while (fd == -Errno.EINTR);
        }
        if (fd < 0) {
            throw new NativeIoException("openat", -fd, "path=\"" + path + "\"");
        }
        return fd;
    }

    private void enter() throws ClosedChannelException {
        if (!holder.enter()) {
            throw new ClosedChannelException();
        }
    }

    private NativeIoException failure(String op, long rc) {
        return new NativeIoException(op, (int) -rc, "fd=" + fd + " " + label());
    }

    @Override
    public int read(MemorySegment dst, long off, int len, long position) throws IOException {
        long at = NativeDataSocket.address(dst, off, len);
        enter();
        try {
            for (;;) {
                long n = LinuxFiles.pread(fd, at, len, position);
                if (n > 0 || (n == 0 && len == 0)) {
                    return (int) n;
                }
                if (n == 0) {
                    return -1;
                }
                if (n != -Errno.EINTR) {
                    throw failure("pread", n);
                }
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public int write(MemorySegment src, long off, int len, long position) throws IOException {
        long at = NativeDataSocket.address(src, off, len);
        enter();
        try {
            for (;;) {
                long n = LinuxFiles.pwrite(fd, at, len, position);
                if (n >= 0) {
                    return (int) n;
                }
                if (n != -Errno.EINTR) {
                    throw failure("pwrite", n);
                }
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public void writeFully(MemorySegment src, long off, long len, long position) throws IOException {
        long done = 0;
        while (done < len) {
            int n = write(src, off + done, (int) Math.min(len - done, NativeDataSocket.MAX_CHUNK), position + done);
            if (n == 0) {
                // pwrite of a regular file makes progress or fails; zero would loop forever
                throw new NativeIoException("pwrite", Errno.EIO, "fd=" + fd + " " + label() + " reason=no-progress");
            }
            done += n;
        }
    }

    @Override
    public long size() throws IOException {
        return stat().size();
    }

    @Override
    public void truncate(long size) throws IOException {
        enter();
        try {
            int rc;
            do {
                rc = LinuxFiles.ftruncate(fd, size);
            } while (rc == -Errno.EINTR);
            if (rc < 0) {
                throw failure("ftruncate", rc);
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public void willNeed(long position, long length) throws IOException {
        enter();
        try {
            int rc = LinuxFiles.fadvise(fd, position, length, Sys.POSIX_FADV_WILLNEED);
            if (rc < 0 && rc != -Errno.ENOSYS && rc != -Errno.ESPIPE) {
                throw failure("posix_fadvise", rc);
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public boolean reserve(long position, long length, boolean keepSize) throws IOException {
        enter();
        try {
            int rc;
            do {
                rc = LinuxFiles.fallocate(fd, keepSize ? Sys.FALLOC_FL_KEEP_SIZE : 0, position, length);
            } while (rc == -Errno.EINTR);
            if (rc == -Errno.EOPNOTSUPP || rc == -Errno.ENOSYS) {
                return false;
            }
            if (rc < 0) {
                throw failure("fallocate", rc);
            }
            return true;
        } finally {
            holder.exit();
        }
    }

    @Override
    public void force(boolean metadata) throws IOException {
        enter();
        try {
            int rc;
            do {
                rc = LinuxFiles.fsync(fd, metadata);
            } while (rc == -Errno.EINTR);
            if (rc < 0) {
                throw failure(metadata ? "fsync" : "fdatasync", rc);
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public FileStat stat() throws IOException {
        enter();
        // Once per file a sender opens (its size): the pooled call scratch, not an arena per call.
        CallScratch s = CallScratch.take();
        try {
            int rc = LinuxFiles.statx(fd, EMPTY_PATH, Sys.AT_EMPTY_PATH | Sys.AT_SYMLINK_NOFOLLOW, s.statx);
            if (rc < 0) {
                throw failure("statx", rc);
            }
            return StatxLayout.read(s.statx, s.statxWords);
        } finally {
            s.give();
            holder.exit();
        }
    }

    @Override
    public void chmod(int mode) throws IOException {
        enter();
        try {
            int rc = LinuxFiles.fchmod(fd, mode);
            if (rc < 0) {
                throw failure("fchmod", rc);
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public void chown(int uid, int gid) throws IOException {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            int rc = LinuxTree.fchownat(fd, arena.allocateFrom(""), uid, gid, AT_EMPTY_PATH);
            if (rc < 0) {
                throw failure("fchown", rc);
            }
        }
    }

    /** fchownat on the fd itself (an empty path): fchown, through the call the boundary already links. */
    private static final int AT_EMPTY_PATH = 0x1000;

    @Override
    public void setTimes(long atimeNanos, long mtimeNanos) throws IOException {
        enter();
        // once per file a commit puts in place: the pooled scratch's timespecs, not an arena per call
        CallScratch scratch = CallScratch.take();
        try {
            MemorySegment t = scratch.times();
            Timespecs.write(t, atimeNanos, mtimeNanos);
            int rc = LinuxFiles.futimens(fd, t);
            if (rc < 0) {
                throw failure("futimens", rc);
            }
        } finally {
            scratch.give();
            holder.exit();
        }
    }

    @Override
    public <T> T withXattrs(ExtendedAttributes.Use<T> use) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return use.apply(NativeXattrs.ofFd(holder, new NativeXattrs.Scratch(arena), label()));
        }
    }

    @Override
    public MappedRegion map(long position, long length, boolean writable) throws IOException {
        if (writable && size() < position + length) {
            truncate(position + length);
        }
        enter();
        try {
            return NativeMappedRegion.map(fd, position, length, writable, label());
        } finally {
            holder.exit();
        }
    }

    @Override
    public CopyKind copyFrom(DataFile source, long length) throws IOException {
        if (length < 0 || source == this) {
            throw new IllegalArgumentException("op=copy reason=" + (length < 0 ? "negative-length" : "self-copy"));
        }
        if (!(source instanceof NativeFile from)) {
            UserCopy.copy(source, this, length); // no fd to hand the kernel
            return CopyKind.USER_COPY;
        }
        enter();
        try {
            from.enter();
            try (FileCopier copier = new FileCopier(from, this, "fd=" + fd + " " + label() + " src_fd=" + from.fd)) {
                return copier.copy(length);
            } finally {
                from.holder.exit();
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public boolean cloneFrom(DataFile source, long length) throws IOException {
        if (length < 0 || source == this) {
            throw new IllegalArgumentException("op=clone reason=" + (length < 0 ? "negative-length" : "self-copy"));
        }
        if (!(source instanceof NativeFile from)) {
            return false;
        }
        return withCopier(from, c -> c.cloneOnly(length) ? CopyKind.CLONE : null) == CopyKind.CLONE;
    }

    @Override
    public CopyKind copyRange(DataFile source, long position, long length) throws IOException {
        if (length < 0 || position < 0 || source == this) {
            throw new IllegalArgumentException("op=copy reason=bad-range position=" + position + " length=" + length);
        }
        if (!(source instanceof NativeFile from)) {
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                UserCopy.copy(source, this, position, position + length,
                        arena.allocate(Math.max(1, Math.min(UserCopy.BUFFER, length))));
            }
            return CopyKind.USER_COPY;
        }
        return withCopier(from, c -> c.copyAt(position, position + length));
    }

    private interface CopyJob {
        CopyKind run(FileCopier c) throws IOException;
    }

    private CopyKind withCopier(NativeFile from, CopyJob job) throws IOException {
        enter();
        try {
            from.enter();
            try (FileCopier copier = new FileCopier(from, this, "fd=" + fd + " " + label() + " src_fd=" + from.fd)) {
                return job.run(copier);
            } finally {
                from.holder.exit();
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public void close() {
        holder.close();
    }

    @Override
    public String toString() {
        return "native-file fd=" + fd + " " + label();
    }

    /** Two {@code struct timespec} {s64 tv_sec, s64 tv_nsec}: atime then mtime, as utimensat takes them. */
    static final class Timespecs {
        private Timespecs() {
        }

        static void write(MemorySegment t, long atimeNanos, long mtimeNanos) {
            t.set(ValueLayout.JAVA_LONG, 0, Math.floorDiv(atimeNanos, 1_000_000_000L));
            t.set(ValueLayout.JAVA_LONG, 8, Math.floorMod(atimeNanos, 1_000_000_000L));
            t.set(ValueLayout.JAVA_LONG, 16, Math.floorDiv(mtimeNanos, 1_000_000_000L));
            t.set(ValueLayout.JAVA_LONG, 24, Math.floorMod(mtimeNanos, 1_000_000_000L));
        }
    }
}
