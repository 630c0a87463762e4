package io.dwcp.zerocopy.linux;

import static io.dwcp.core.linux.LinuxNative.C_INT;
import static io.dwcp.core.linux.LinuxNative.C_LONG;
import static io.dwcp.core.linux.LinuxNative.C_POINTER;

import io.dwcp.core.linux.LinuxNative;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for file-descriptor and {@code *at} file calls. Paths are NUL-terminated C strings the caller
 * allocated; data buffers are raw addresses of native memory (see {@link LinuxSockets}). Every method
 * returns the result or {@code -errno}.
 *
 * <p>{@code openat2} has no glibc wrapper before 2.39 and is reached through {@code syscall(437, ...)};
 * {@code syscall} is variadic, linked here with fixed integer/pointer arguments, which the two supported ABIs
 * pass identically. {@code statx} stands in for {@code fstatat}: its layout is the same on every
 * architecture, unlike {@code struct stat}.
 */
final class LinuxFiles {
    private static final MethodHandle OPENAT = h("openat", C_INT, C_INT, C_POINTER, C_INT, C_INT);
    private static final MethodHandle SYSCALL_OPENAT2 = h("syscall", C_LONG, C_LONG, C_INT, C_POINTER, C_POINTER, C_LONG);
    private static final MethodHandle CLOSE = h("close", C_INT, C_INT);
    private static final MethodHandle MKDIRAT = h("mkdirat", C_INT, C_INT, C_POINTER, C_INT);
    private static final MethodHandle RENAMEAT = h("renameat", C_INT, C_INT, C_POINTER, C_INT, C_POINTER);
    private static final MethodHandle UNLINKAT = h("unlinkat", C_INT, C_INT, C_POINTER, C_INT);
    private static final MethodHandle STATX = h("statx", C_INT, C_INT, C_POINTER, C_INT, C_INT, C_POINTER);
    private static final MethodHandle FCHMODAT = h("fchmodat", C_INT, C_INT, C_POINTER, C_INT, C_INT);
    private static final MethodHandle FCHMOD = h("fchmod", C_INT, C_INT, C_INT);
    private static final MethodHandle UTIMENSAT = h("utimensat", C_INT, C_INT, C_POINTER, C_POINTER, C_INT);
    private static final MethodHandle FUTIMENS = h("futimens", C_INT, C_INT, C_POINTER);
    private static final MethodHandle SYMLINKAT = h("symlinkat", C_INT, C_POINTER, C_INT, C_POINTER);
    private static final MethodHandle READLINKAT = h("readlinkat", C_LONG, C_INT, C_POINTER, C_POINTER, C_LONG);
    private static final MethodHandle FALLOCATE = h("fallocate", C_INT, C_INT, C_INT, C_LONG, C_LONG);
    private static final MethodHandle FTRUNCATE = h("ftruncate", C_INT, C_INT, C_LONG);
    private static final MethodHandle FSYNC = h("fsync", C_INT, C_INT);
    private static final MethodHandle FDATASYNC = h("fdatasync", C_INT, C_INT);
    private static final MethodHandle PREAD = h("pread", C_LONG, C_INT, C_LONG, C_LONG, C_LONG);
    private static final MethodHandle PWRITE = h("pwrite", C_LONG, C_INT, C_LONG, C_LONG, C_LONG);

    private LinuxFiles() {
    }

    private static MethodHandle h(String name, MemoryLayout ret, MemoryLayout... args) {
        return Sys.nativeUsable() ? LinuxNative.downcall(name, FunctionDescriptor.of(ret, args)) : null;
    }

    /** True when libc has every call this class makes ({@code openat2} is probed separately). */
    static boolean linked() {
        return OPENAT != null && CLOSE != null && MKDIRAT != null && RENAMEAT != null && UNLINKAT != null
                && STATX != null && FCHMODAT != null && FCHMOD != null && UTIMENSAT != null && FUTIMENS != null && SYMLINKAT != null
                && READLINKAT != null && FALLOCATE != null && FTRUNCATE != null && FSYNC != null
                && FDATASYNC != null && PREAD != null && PWRITE != null;
    }

    static boolean openat2Linked() {
        return SYSCALL_OPENAT2 != null;
    }

    private static int r(int rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    private static long r(long rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    static int openat(int dirFd, MemorySegment path, int flags, int mode) {
        try {
            return r((int) OPENAT.invokeExact(LinuxNative.callState(), dirFd, path, flags, mode));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param how a {@code struct open_how} (u64 flags, u64 mode, u64 resolve), 24 bytes */
    static int openat2(int dirFd, MemorySegment path, MemorySegment how) {
        try {
            return (int) r((long) SYSCALL_OPENAT2.invokeExact(LinuxNative.callState(), Sys.SYS_OPENAT2, dirFd, path,
                    how, how.byteSize()));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int close(int fd) {
        try {
            return r((int) CLOSE.invokeExact(LinuxNative.callState(), fd));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int mkdirat(int dirFd, MemorySegment path, int mode) {
        try {
            return r((int) MKDIRAT.invokeExact(LinuxNative.callState(), dirFd, path, mode));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int renameat(int fromDir, MemorySegment from, int toDir, MemorySegment to) {
        try {
            return r((int) RENAMEAT.invokeExact(LinuxNative.callState(), fromDir, from, toDir, to));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int unlinkat(int dirFd, MemorySegment path, int flags) {
        try {
            return r((int) UNLINKAT.invokeExact(LinuxNative.callState(), dirFd, path, flags));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param statx a 256-byte {@code struct statx}, see {@link StatxLayout} */
    static int statx(int dirFd, MemorySegment path, int flags, MemorySegment statx) {
        try {
            return r((int) STATX.invokeExact(LinuxNative.callState(), dirFd, path, flags, StatxLayout.MASK_BASIC, statx));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fchmodat(int dirFd, MemorySegment path, int mode, int flags) {
        try {
            return r((int) FCHMODAT.invokeExact(LinuxNative.callState(), dirFd, path, mode, flags));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fchmod(int fd, int mode) {
        try {
            return r((int) FCHMOD.invokeExact(LinuxNative.callState(), fd, mode));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param times two {@code struct timespec} (atime, mtime) */
    static int futimens(int fd, MemorySegment times) {
        try {
            return r((int) FUTIMENS.invokeExact(LinuxNative.callState(), fd, times));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param times two {@code struct timespec} (atime, mtime) */
    static int utimensat(int dirFd, MemorySegment path, MemorySegment times, int flags) {
        try {
            return r((int) UTIMENSAT.invokeExact(LinuxNative.callState(), dirFd, path, times, flags));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int symlinkat(MemorySegment target, int dirFd, MemorySegment path) {
        try {
            return r((int) SYMLINKAT.invokeExact(LinuxNative.callState(), target, dirFd, path));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long readlinkat(int dirFd, MemorySegment path, MemorySegment buf) {
        try {
            return r((long) READLINKAT.invokeExact(LinuxNative.callState(), dirFd, path, buf, buf.byteSize()));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fallocate(int fd, int mode, long offset, long len) {
        try {
            return r((int) FALLOCATE.invokeExact(LinuxNative.callState(), fd, mode, offset, len));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int ftruncate(int fd, long len) {
        try {
            return r((int) FTRUNCATE.invokeExact(LinuxNative.callState(), fd, len));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fsync(int fd, boolean metadata) {
        try {
            return r(metadata ? (int) FSYNC.invokeExact(LinuxNative.callState(), fd)
                    : (int) FDATASYNC.invokeExact(LinuxNative.callState(), fd));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long pread(int fd, long address, long len, long position) {
        try {
            return r((long) PREAD.invokeExact(LinuxNative.callState(), fd, address, len, position));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long pwrite(int fd, long address, long len, long position) {
        try {
            return r((long) PWRITE.invokeExact(LinuxNative.callState(), fd, address, len, position));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
