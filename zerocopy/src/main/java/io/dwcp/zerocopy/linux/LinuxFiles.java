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
    private static final class OpenatCall {
        static final MethodHandle H = h("openat", C_INT, C_INT, C_POINTER, C_INT, C_INT);
    }
    private static final class SyscallOpenat2Call {
        static final MethodHandle H = h("syscall", C_LONG, C_LONG, C_INT, C_POINTER, C_POINTER, C_LONG);
    }
    private static final class MkdiratCall {
        static final MethodHandle H = h("mkdirat", C_INT, C_INT, C_POINTER, C_INT);
    }
    private static final class RenameatCall {
        static final MethodHandle H = h("renameat", C_INT, C_INT, C_POINTER, C_INT, C_POINTER);
    }
    private static final class UnlinkatCall {
        static final MethodHandle H = h("unlinkat", C_INT, C_INT, C_POINTER, C_INT);
    }
    private static final class StatxCall {
        static final MethodHandle H = h("statx", C_INT, C_INT, C_POINTER, C_INT, C_INT, C_POINTER);
    }
    private static final class FchmodatCall {
        static final MethodHandle H = h("fchmodat", C_INT, C_INT, C_POINTER, C_INT, C_INT);
    }
    private static final class FchmodCall {
        static final MethodHandle H = h("fchmod", C_INT, C_INT, C_INT);
    }
    private static final class UtimensatCall {
        static final MethodHandle H = h("utimensat", C_INT, C_INT, C_POINTER, C_POINTER, C_INT);
    }
    private static final class FutimensCall {
        static final MethodHandle H = h("futimens", C_INT, C_INT, C_POINTER);
    }
    private static final class SymlinkatCall {
        static final MethodHandle H = h("symlinkat", C_INT, C_POINTER, C_INT, C_POINTER);
    }
    private static final class ReadlinkatCall {
        static final MethodHandle H = h("readlinkat", C_LONG, C_INT, C_POINTER, C_POINTER, C_LONG);
    }
    private static final class FallocateCall {
        static final MethodHandle H = h("fallocate", C_INT, C_INT, C_INT, C_LONG, C_LONG);
    }
    private static final class FtruncateCall {
        static final MethodHandle H = h("ftruncate", C_INT, C_INT, C_LONG);
    }
    private static final class FsyncCall {
        static final MethodHandle H = h("fsync", C_INT, C_INT);
    }
    private static final class FdatasyncCall {
        static final MethodHandle H = h("fdatasync", C_INT, C_INT);
    }
    private static final class SyncfsCall {
        static final MethodHandle H = h("syncfs", C_INT, C_INT);
    }
    private static final class PreadCall {
        static final MethodHandle H = h("pread", C_LONG, C_INT, C_LONG, C_LONG, C_LONG);
    }
    private static final class PwriteCall {
        static final MethodHandle H = h("pwrite", C_LONG, C_INT, C_LONG, C_LONG, C_LONG);
    }
    /** pread and pwrite without errno capture: see {@link #pwrite}. */
    private static final class PreadFast {
        static final MethodHandle H = hNoErrno("pread", C_LONG, C_INT, C_LONG, C_LONG, C_LONG);
    }
    private static final class PwriteFast {
        static final MethodHandle H = hNoErrno("pwrite", C_LONG, C_INT, C_LONG, C_LONG, C_LONG);
    }

    private LinuxFiles() {
    }

    /**
     * Handles are made on first use (each holder class is initialised when its call first runs): making a downcall
     * handle costs milliseconds, and a sending client needs only a few of this class's calls.
     */
    private static MethodHandle h(String name, MemoryLayout ret, MemoryLayout... args) {
        return Sys.nativeUsable() ? LinuxNative.downcall(name, FunctionDescriptor.of(ret, args)) : null;
    }

    /** As {@link #h}, without errno capture. */
    private static MethodHandle hNoErrno(String name, MemoryLayout ret, MemoryLayout... args) {
        return Sys.nativeUsable() ? LinuxNative.downcallNoErrno(name, FunctionDescriptor.of(ret, args)) : null;
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
            return r((int) OpenatCall.H.invokeExact(LinuxNative.callState(), dirFd, path, flags, mode));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param how a {@code struct open_how} (u64 flags, u64 mode, u64 resolve), 24 bytes */
    static int openat2(int dirFd, MemorySegment path, MemorySegment how) {
        try {
            return (int) r((long) SyscallOpenat2Call.H.invokeExact(LinuxNative.callState(), Sys.SYS_OPENAT2, dirFd, path,
                    how, how.byteSize()));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int mkdirat(int dirFd, MemorySegment path, int mode) {
        try {
            return r((int) MkdiratCall.H.invokeExact(LinuxNative.callState(), dirFd, path, mode));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int renameat(int fromDir, MemorySegment from, int toDir, MemorySegment to) {
        try {
            return r((int) RenameatCall.H.invokeExact(LinuxNative.callState(), fromDir, from, toDir, to));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int unlinkat(int dirFd, MemorySegment path, int flags) {
        try {
            return r((int) UnlinkatCall.H.invokeExact(LinuxNative.callState(), dirFd, path, flags));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param statx a 256-byte {@code struct statx}, see {@link StatxLayout} */
    static int statx(int dirFd, MemorySegment path, int flags, MemorySegment statx) {
        try {
            return r((int) StatxCall.H.invokeExact(LinuxNative.callState(), dirFd, path, flags, StatxLayout.MASK_BASIC, statx));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fchmodat(int dirFd, MemorySegment path, int mode, int flags) {
        try {
            return r((int) FchmodatCall.H.invokeExact(LinuxNative.callState(), dirFd, path, mode, flags));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fchmod(int fd, int mode) {
        try {
            return r((int) FchmodCall.H.invokeExact(LinuxNative.callState(), fd, mode));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param times two {@code struct timespec} (atime, mtime) */
    static int futimens(int fd, MemorySegment times) {
        try {
            return r((int) FutimensCall.H.invokeExact(LinuxNative.callState(), fd, times));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param times two {@code struct timespec} (atime, mtime) */
    static int utimensat(int dirFd, MemorySegment path, MemorySegment times, int flags) {
        try {
            return r((int) UtimensatCall.H.invokeExact(LinuxNative.callState(), dirFd, path, times, flags));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int symlinkat(MemorySegment target, int dirFd, MemorySegment path) {
        try {
            return r((int) SymlinkatCall.H.invokeExact(LinuxNative.callState(), target, dirFd, path));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long readlinkat(int dirFd, MemorySegment path, MemorySegment buf) {
        try {
            return r((long) ReadlinkatCall.H.invokeExact(LinuxNative.callState(), dirFd, path, buf, buf.byteSize()));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fallocate(int fd, int mode, long offset, long len) {
        try {
            return r((int) FallocateCall.H.invokeExact(LinuxNative.callState(), fd, mode, offset, len));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int ftruncate(int fd, long len) {
        try {
            return r((int) FtruncateCall.H.invokeExact(LinuxNative.callState(), fd, len));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fsync(int fd, boolean metadata) {
        try {
            return r(metadata ? (int) FsyncCall.H.invokeExact(LinuxNative.callState(), fd)
                    : (int) FdatasyncCall.H.invokeExact(LinuxNative.callState(), fd));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** Flushes the file system holding {@code fd} (any fd but an {@code O_PATH} one, which is EBADF). */
    static int syncfs(int fd) {
        try {
            return r((int) SyncfsCall.H.invokeExact(LinuxNative.callState(), fd));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** As {@link #pwrite}: the call again with errno captured only when the first one failed. */
    static long pread(int fd, long address, long len, long position) {
        try {
            long n = (long) PreadFast.H.invokeExact(fd, address, len, position);
            if (n >= 0) {
                return n;
            }
            return r((long) PreadCall.H.invokeExact(LinuxNative.callState(), fd, address, len, position));
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
            long n = (long) PwriteFast.H.invokeExact(fd, address, len, position);
            if (n >= 0) {
                return n;
            }
            return r((long) PwriteCall.H.invokeExact(LinuxNative.callState(), fd, address, len, position));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
