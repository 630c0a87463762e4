package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.LinuxNative;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for the calls that copy a tree's shape rather than its bytes: listing a directory, owners, hard links
 * and special files. Same conventions as {@link LinuxFiles}: C-string paths the caller allocated, results or
 * {@code -errno}.
 *
 * <p>{@code getdents64} (glibc 2.30) and {@code mknodat} (exported from glibc 2.33; before, only
 * {@code __xmknodat}) may be missing from an older libc that has everything else; they are then made through
 * {@code syscall}, linked with fixed arguments as in {@link LinuxFiles}.
 */
final class LinuxTree {
    private static final class FchownatCall {
        // int fchownat(int, pointer, int, int, int)
        static final MethodHandle H = h("fchownat");
    }
    private static final class LinkatCall {
        // int linkat(int, pointer, int, pointer, int)
        static final MethodHandle H = h("linkat");
    }
    /** Null on an older libc: {@link SyscallMknodatCall} then. */
    private static final class MknodatCall {
        // int mknodat(int, pointer, int, long)
        static final MethodHandle H = h("mknodat");
    }
    private static final class SyscallMknodatCall {
        // long syscall(long, int, pointer, int, long)
        static final MethodHandle H = h("syscall");
    }
    /** Null on an older libc: {@link SyscallGetdentsCall} then. */
    private static final class GetdentsCall {
        // long getdents64(int, pointer, long)
        static final MethodHandle H = h("getdents64");
    }
    private static final class SyscallGetdentsCall {
        // long syscall(long, int, pointer, long)
        static final MethodHandle H = h("syscall");
    }

    private LinuxTree() {
    }

    /** Handles are made on first use, as in {@link LinuxFiles}: a sending client never lists or links. */
    private static MethodHandle h(String name) {
        return Sys.nativeUsable() ? LinuxNative.function(name) : null;
    }

    /** Whether libc has {@code name}, without making its handle. */
    private static boolean present(String name) {
        return Sys.nativeUsable() && LinuxNative.symbol(name).isPresent();
    }

    /** True when every call here can be made, through its wrapper or {@code syscall}. */
    static boolean linked() {
        boolean syscall = present("syscall");
        return present("fchownat") && present("linkat") && (present("mknodat") || syscall)
                && (present("getdents64") || syscall);
    }

    private static int r(int rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    private static long r(long rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    /** @param uid -1 leaves the owner as it is; likewise {@code gid} */
    static int fchownat(int dirFd, MemorySegment path, int uid, int gid, int flags) {
        try {
            return r((int) (long) FchownatCall.H.invokeExact(LinuxNative.callState(), (long) dirFd,
                    LinuxNative.address(path), (long) uid, (long) gid, (long) flags, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int linkat(int fromDir, MemorySegment from, int toDir, MemorySegment to, int flags) {
        try {
            return r((int) (long) LinkatCall.H.invokeExact(LinuxNative.callState(), (long) fromDir,
                    LinuxNative.address(from), (long) toDir, LinuxNative.address(to), (long) flags, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param dev a {@code dev_t} in glibc's encoding ({@link io.dwcp.zerocopy.FileStat#makedev}) */
    static int mknodat(int dirFd, MemorySegment path, int mode, long dev) {
        try {
            if (MknodatCall.H != null) {
                return r((int) (long) MknodatCall.H.invokeExact(LinuxNative.callState(), (long) dirFd,
                        LinuxNative.address(path), (long) mode, dev, 0L, 0L, 0L));
            }
            // the syscall takes the kernel's 32-bit encoding, of which glibc's is an extension; glibc's wrapper
            // refuses a number that does not fit in the same way
            if ((dev >>> 32) != 0) {
                return -Errno.EINVAL;
            }
            return (int) r((long) SyscallMknodatCall.H.invokeExact(LinuxNative.callState(), Sys.SYS_MKNODAT,
                    (long) dirFd, LinuxNative.address(path), (long) mode, dev, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** Fills {@code buf} with {@code struct linux_dirent64} records: the bytes filled, 0 at the end. */
    static long getdents64(int fd, MemorySegment buf) {
        try {
            if (GetdentsCall.H != null) {
                return r((long) GetdentsCall.H.invokeExact(LinuxNative.callState(), (long) fd,
                        LinuxNative.address(buf), buf.byteSize(), 0L, 0L, 0L, 0L));
            }
            return r((long) SyscallGetdentsCall.H.invokeExact(LinuxNative.callState(), Sys.SYS_GETDENTS64, (long) fd,
                    LinuxNative.address(buf), buf.byteSize(), 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
