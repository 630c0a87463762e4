package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.ConfinedPaths;
import io.dwcp.zerocopy.PathRefusedException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Resolves the parent directory of a confined path to an fd, beneath the root's fd and without following any
 * symlink: in one {@code openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS)} call, or (when
 * openat2 is missing or refused) by opening one component at a time with {@code O_PATH|O_DIRECTORY|O_NOFOLLOW}.
 * Both refuse a symlink at the moment of the lookup, so a swap after the check finds us already holding the
 * real directory's fd.
 */
final class Confinement {
    private static final int DIR_FLAGS = Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_CLOEXEC;
    /** openat2 fails with EAGAIN when a concurrent rename made it unsure; a retry settles it. */
    private static final int EAGAIN_RETRIES = 16;

    private final int rootFd;
    private final boolean openat2;

    Confinement(int rootFd, boolean openat2) {
        this.rootFd = rootFd;
        this.openat2 = openat2;
    }

    /** 0 when openat2 works on this kernel and under this seccomp filter, else {@code -errno}. */
    static int probeOpenat2() {
        try (Arena arena = Arena.ofConfined()) {
            int dir = LinuxFiles.openat(Sys.AT_FDCWD, arena.allocateFrom("/"), DIR_FLAGS, 0);
            if (dir < 0) {
                return dir;
            }
            int fd = LinuxFiles.openat2(dir, arena.allocateFrom("."), how(arena.allocate(24, 8), DIR_FLAGS, 0));
            FdCalls.close(dir);
            if (fd < 0) {
                return fd;
            }
            FdCalls.close(fd);
            return 0;
        }
    }

    /** Fills {@code how}, a {@code struct open_how} (flags, mode, resolve), to resolve beneath, following no link. */
    private static MemorySegment how(MemorySegment how, int flags, int mode) {
        how.set(ValueLayout.JAVA_LONG, 0, flags & 0xFFFFFFFFL);
        how.set(ValueLayout.JAVA_LONG, 8, mode);
        how.set(ValueLayout.JAVA_LONG, 16, Sys.RESOLVE_BENEATH | Sys.RESOLVE_NO_SYMLINKS | Sys.RESOLVE_NO_MAGICLINKS);
        return how;
    }

    /** openat2 of {@code path} beneath the root, again after EINTR and (a few times) EAGAIN: an fd or -errno. */
    private int openat2(MemorySegment path, MemorySegment how) {
        int fd;
        int tries = 0;
        do {
            fd = LinuxFiles.openat2(rootFd, path, how);
        } while ((fd == -Errno.EINTR || fd == -Errno.EAGAIN) && tries++ < EAGAIN_RETRIES);
        return fd;
    }

    /** True when paths are resolved by openat2 (else by a walk of O_NOFOLLOW opens). */
    boolean viaOpenat2() {
        return openat2;
    }

    /**
     * Opens {@code path} ({@link io.dwcp.zerocopy.ConfinedPaths#normalized}) itself beneath the root in one openat2
     * call, the last component
     * included: RESOLVE_NO_SYMLINKS refuses a link there as {@code O_NOFOLLOW} would, so a file is created or
     * opened with one call instead of a parent's resolution, an {@code openat} and a close. Returns the fd, or
     * {@code -errno}. Only when {@link #viaOpenat2()}.
     */
    int openBeneath(String path, int flags, int mode, CallScratch scratch) {
        MemorySegment p = scratch.path(path);
        if (p == null) {
            return -Errno.ENAMETOOLONG;
        }
        // openat2 refuses a mode without O_CREAT (EINVAL), where openat ignores it
        return openat2(p, how(scratch.how(), flags, (flags & Sys.O_CREAT) != 0 ? mode : 0));
    }

    /**
     * An fd of the directory holding the last component of {@code path} (checked as
     * {@link io.dwcp.zerocopy.ConfinedPaths#normalized} checks it), with that component written into
     * {@code scratch.name}; the caller closes the fd unless it is the root's (a path directly in the root). The path
     * is never split into strings: its bytes go into the scratch's path buffer once, and the last {@code /} there
     * ends the parent's.
     */
    int parent(String path, CallScratch scratch) throws IOException {
        String whole = ConfinedPaths.normalized(path);
        MemorySegment p = scratch.path(whole);
        if (p == null) {
            throw refusal("openat2", Errno.ENAMETOOLONG, path);
        }
        int n = scratch.pathLength;
        int slash = n - 1;
        while (slash >= 0 && p.get(ValueLayout.JAVA_BYTE, slash) != '/') {
            slash--; // a multi-byte UTF-8 sequence never holds a '/' byte
        }
        int leaf = n - slash - 1;
        if (leaf > CallScratch.MAX_NAME) {
            throw refusal("openat2", Errno.ENAMETOOLONG, path);
        }
        MemorySegment.copy(p, slash + 1, scratch.name, 0, leaf + 1L); // with its NUL
        if (slash < 0) {
            return rootFd;
        }
        p.set(ValueLayout.JAVA_BYTE, slash, (byte) 0);
        return openat2 ? viaOpenat2(path, p, scratch) : walk(path, p, slash, scratch);
    }

    private int viaOpenat2(String path, MemorySegment parent, CallScratch scratch) throws IOException {
        int fd = openat2(parent, how(scratch.how(), DIR_FLAGS, 0));
        if (fd >= 0) {
            return fd;
        }
        throw refusal("openat2", -fd, path);
    }

    /** The fallback: each component of {@code parent[0, length)} opened in turn, none followed. */
    private int walk(String path, MemorySegment parent, int length, CallScratch scratch) throws IOException {
        int cur = rootFd;
        int start = 0;
        while (start <= length) {
            int end = start;
            while (end < length && parent.get(ValueLayout.JAVA_BYTE, end) != '/') {
                end++;
            }
            parent.set(ValueLayout.JAVA_BYTE, end, (byte) 0);
            MemorySegment name = parent.asSlice(start);
            int fd;
            do {
                fd = LinuxFiles.openat(cur, name, DIR_FLAGS | Sys.O_NOFOLLOW, 0);
            } while (fd == -Errno.EINTR);
            if (fd == -Errno.ENOTDIR && isSymlink(cur, name, scratch.statx)) {
                fd = -Errno.ELOOP;
            }
            if (cur != rootFd) {
                FdCalls.close(cur);
            }
            if (fd < 0) {
                throw refusal("openat", -fd, path);
            }
            cur = fd;
            start = end + 1;
        }
        return cur;
    }

    /** Whether {@code name} in {@code dir} is a symlink itself (telling ELOOP from ENOTDIR after O_NOFOLLOW). */
    static boolean isSymlink(int dir, MemorySegment name, MemorySegment st) {
        return LinuxFiles.statx(dir, name, Sys.AT_SYMLINK_NOFOLLOW, st) == 0 && StatxLayout.read(st).isSymbolicLink();
    }

    /** Maps a resolution errno to a refusal where it is one, else to the plain error. */
    static IOException refusal(String op, int errno, String path) {
        return switch (errno) {
            case Errno.ELOOP -> new PathRefusedException(path, PathRefusedException.Reason.SYMLINK_IN_PATH);
            case Errno.EXDEV -> new PathRefusedException(path, PathRefusedException.Reason.ESCAPES_ROOT);
            case Errno.ENOTDIR -> new PathRefusedException(path, PathRefusedException.Reason.NOT_A_DIRECTORY);
            default -> new NativeIoException(op, errno, "path=\"" + path.replace('"', '\'') + "\"");
        };
    }
}
