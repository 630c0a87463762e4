package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.LinuxNative;
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
    private static final class OpenatCall {
        // int openat(int, pointer, int, int)
        static final MethodHandle H = h("openat");
    }
    private static final class SyscallOpenat2Call {
        // long syscall(long, int, pointer, pointer, long)
        static final MethodHandle H = h("syscall");
    }
    private static final class MkdiratCall {
        // int mkdirat(int, pointer, int)
        static final MethodHandle H = h("mkdirat");
    }
    private static final class RenameatCall {
        // int renameat(int, pointer, int, pointer)
        static final MethodHandle H = h("renameat");
    }
    private static final class UnlinkatCall {
        // int unlinkat(int, pointer, int)
        static final MethodHandle H = h("unlinkat");
    }
    private static final class StatxCall {
        // int statx(int, pointer, int, int, pointer)
        static final MethodHandle H = h("statx");
    }
    private static final class FchmodatCall {
        // int fchmodat(int, pointer, int, int)
        static final MethodHandle H = h("fchmodat");
    }
    private static final class FchmodCall {
        // int fchmod(int, int)
        static final MethodHandle H = h("fchmod");
    }
    private static final class UtimensatCall {
        // int utimensat(int, pointer, pointer, int)
        static final MethodHandle H = h("utimensat");
    }
    private static final class FutimensCall {
        // int futimens(int, pointer)
        static final MethodHandle H = h("futimens");
    }
    private static final class SymlinkatCall {
        // int symlinkat(pointer, int, pointer)
        static final MethodHandle H = h("symlinkat");
    }
    private static final class ReadlinkatCall {
        // long readlinkat(int, pointer, pointer, long)
        static final MethodHandle H = h("readlinkat");
    }
    private static final class FallocateCall {
        // int fallocate(int, int, long, long)
        static final MethodHandle H = h("fallocate");
    }
    private static final class FadviseCall {
        // int posix_fadvise(int, long, long, int): returns the error number itself, errno untouched
        static final MethodHandle H = present("posix_fadvise") ? hNoErrno("posix_fadvise") : null;
    }
    private static final class FtruncateCall {
        // int ftruncate(int, long)
        static final MethodHandle H = h("ftruncate");
    }
    private static final class FsyncCall {
        // int fsync(int)
        static final MethodHandle H = h("fsync");
    }
    private static final class FdatasyncCall {
        // int fdatasync(int)
        static final MethodHandle H = h("fdatasync");
    }
    private static final class SyncfsCall {
        // int syncfs(int)
        static final MethodHandle H = h("syncfs");
    }
    private static final class PreadCall {
        // long pread(int, long, long, long)
        static final MethodHandle H = h("pread");
    }
    private static final class PwriteCall {
        // long pwrite(int, long, long, long)
        static final MethodHandle H = h("pwrite");
    }
    /** pread and pwrite without errno capture: see {@link #pwrite}. */
    private static final class PreadFast {
        // long pread(int, long, long, long)
        static final MethodHandle H = hNoErrno("pread");
    }
    private static final class PwriteFast {
        // long pwrite(int, long, long, long)
        static final MethodHandle H = hNoErrno("pwrite");
    }

    private LinuxFiles() {
    }

    /**
     * Handles are made on first use (each holder class is initialised when its call first runs): making a downcall
     * handle costs milliseconds, and a sending client needs only a few of this class's calls.
     */
    private static MethodHandle h(String name) {
        return Sys.nativeUsable() ? LinuxNative.function(name) : null;
    }

    /** As {@link #h}, without errno capture. */
    private static MethodHandle hNoErrno(String name) {
        return Sys.nativeUsable() ? LinuxNative.functionNoErrno(name) : null;
    }

    /** Whether libc has {@code name}, without making its handle. */
    private static boolean present(String name) {
        return Sys.nativeUsable() && LinuxNative.symbol(name).isPresent();
    }

    /** True when libc has every call this class makes ({@code openat2} is probed separately). */
    static boolean linked() {
        return present("openat") && present("close") && present("mkdirat") && present("renameat") && present("unlinkat")
                && present("statx") && present("fchmodat") && present("fchmod") && present("utimensat") && present("futimens") && present("symlinkat")
                && present("readlinkat") && present("fallocate") && present("ftruncate") && present("fsync")
                && present("fdatasync") && present("pread") && present("pwrite");
    }

    /** {@code syncfs} (glibc 2.14): probed apart from {@link #linked()}, as only a receiver's flushes need it. */
    static boolean syncfsLinked() {
        return present("syncfs");
    }

    static boolean openat2Linked() {
        return present("syscall");
    }

    private static int r(int rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    private static long r(long rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    static int openat(int dirFd, MemorySegment path, int flags, int mode) {
        try {
            return r((int) (long) OpenatCall.H.invokeExact(LinuxNative.callState(), (long) dirFd,
                    LinuxNative.address(path), (long) flags, (long) mode, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param how a {@code struct open_how} (u64 flags, u64 mode, u64 resolve), 24 bytes */
    static int openat2(int dirFd, MemorySegment path, MemorySegment how) {
        try {
            return (int) r((long) SyscallOpenat2Call.H.invokeExact(LinuxNative.callState(), Sys.SYS_OPENAT2,
                    (long) dirFd, LinuxNative.address(path), LinuxNative.address(how), how.byteSize(), 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int mkdirat(int dirFd, MemorySegment path, int mode) {
        try {
            return r((int) (long) MkdiratCall.H.invokeExact(LinuxNative.callState(), (long) dirFd,
                    LinuxNative.address(path), (long) mode, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int renameat(int fromDir, MemorySegment from, int toDir, MemorySegment to) {
        try {
            return r((int) (long) RenameatCall.H.invokeExact(LinuxNative.callState(), (long) fromDir,
                    LinuxNative.address(from), (long) toDir, LinuxNative.address(to), 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int unlinkat(int dirFd, MemorySegment path, int flags) {
        try {
            return r((int) (long) UnlinkatCall.H.invokeExact(LinuxNative.callState(), (long) dirFd,
                    LinuxNative.address(path), (long) flags, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param statx a 256-byte {@code struct statx}, see {@link StatxLayout} */
    static int statx(int dirFd, MemorySegment path, int flags, MemorySegment statx) {
        try {
            return r((int) (long) StatxCall.H.invokeExact(LinuxNative.callState(), (long) dirFd,
                    LinuxNative.address(path), (long) flags, (long) StatxLayout.MASK_BASIC,
                    LinuxNative.address(statx), 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fchmodat(int dirFd, MemorySegment path, int mode, int flags) {
        try {
            return r((int) (long) FchmodatCall.H.invokeExact(LinuxNative.callState(), (long) dirFd,
                    LinuxNative.address(path), (long) mode, (long) flags, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fchmod(int fd, int mode) {
        try {
            return r((int) (long) FchmodCall.H.invokeExact(LinuxNative.callState(), (long) fd, (long) mode, 0L, 0L,
                    0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param times two {@code struct timespec} (atime, mtime) */
    static int futimens(int fd, MemorySegment times) {
        try {
            return r((int) (long) FutimensCall.H.invokeExact(LinuxNative.callState(), (long) fd,
                    LinuxNative.address(times), 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param times two {@code struct timespec} (atime, mtime) */
    static int utimensat(int dirFd, MemorySegment path, MemorySegment times, int flags) {
        try {
            return r((int) (long) UtimensatCall.H.invokeExact(LinuxNative.callState(), (long) dirFd,
                    LinuxNative.address(path), LinuxNative.address(times), (long) flags, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int symlinkat(MemorySegment target, int dirFd, MemorySegment path) {
        try {
            return r((int) (long) SymlinkatCall.H.invokeExact(LinuxNative.callState(), LinuxNative.address(target),
                    (long) dirFd, LinuxNative.address(path), 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long readlinkat(int dirFd, MemorySegment path, MemorySegment buf) {
        try {
            return r((long) ReadlinkatCall.H.invokeExact(LinuxNative.callState(), (long) dirFd,
                    LinuxNative.address(path), LinuxNative.address(buf), buf.byteSize(), 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fallocate(int fd, int mode, long offset, long len) {
        try {
            return r((int) (long) FallocateCall.H.invokeExact(LinuxNative.callState(), (long) fd, (long) mode,
                    offset, len, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /**
     * {@code posix_fadvise}: 0, or the negated error number (as the other calls here); {@code -ENOSYS} where libc
     * lacks it.
     */
    static int fadvise(int fd, long offset, long len, int advice) {
        if (FadviseCall.H == null) {
            return -Errno.ENOSYS;
        }
        try {
            return -(int) (long) FadviseCall.H.invokeExact((long) fd, offset, len, (long) advice, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int ftruncate(int fd, long len) {
        try {
            return r((int) (long) FtruncateCall.H.invokeExact(LinuxNative.callState(), (long) fd, len, 0L, 0L, 0L,
                    0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fsync(int fd, boolean metadata) {
        try {
            return r(metadata ? (int) (long) FsyncCall.H.invokeExact(LinuxNative.callState(), (long) fd, 0L, 0L, 0L,
                    0L, 0L, 0L)
                    : (int) (long) FdatasyncCall.H.invokeExact(LinuxNative.callState(), (long) fd, 0L, 0L, 0L, 0L,
                            0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** Flushes the file system holding {@code fd} (any fd but an {@code O_PATH} one, which is EBADF). */
    static int syncfs(int fd) {
        try {
            return r((int) (long) SyncfsCall.H.invokeExact(LinuxNative.callState(), (long) fd, 0L, 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** As {@link #pwrite}: the call again with errno captured only when the first one failed. */
    static long pread(int fd, long address, long len, long position) {
        try {
            long n = (long) PreadFast.H.invokeExact((long) fd, address, len, position, 0L, 0L, 0L);
            if (n >= 0) {
                return n;
            }
            return r((long) PreadCall.H.invokeExact(LinuxNative.callState(), (long) fd, address, len, position, 0L,
                    0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /**
     * One {@code pwrite}, the data plane's per-block call. A handle that captures errno slices the capture segment
     * on every call, and C2 did not remove that here: about 40 bytes of heap per block (36 KiB per GiB in 1 MiB
     * blocks, half the data plane's budget). So the block goes through a handle without capture, and only a call
     * that failed is made again with errno captured, to learn why: the same bytes at the same offset, so the retry
     * changes nothing the first call did not (a write that failed wrote nothing; an interrupted one is retried
     * anyway).
     */
    static long pwrite(int fd, long address, long len, long position) {
        try {
            long n = (long) PwriteFast.H.invokeExact((long) fd, address, len, position, 0L, 0L, 0L);
            if (n >= 0) {
                return n;
            }
            return r((long) PwriteCall.H.invokeExact(LinuxNative.callState(), (long) fd, address, len, position, 0L,
                    0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
