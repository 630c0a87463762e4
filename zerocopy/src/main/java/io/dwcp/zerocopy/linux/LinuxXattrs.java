package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.LinuxNative;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for the extended-attribute calls, in three forms: on an open fd ({@code f*xattr}); relative to a directory
 * fd without following the last component ({@code *xattrat}, Linux 6.13, through {@code syscall}: glibc has no
 * wrappers yet); and by path, which {@link NativeXattrs} uses only on {@code /proc/self/fd/N} of an
 * {@code O_PATH|O_NOFOLLOW} fd where the {@code *at} calls are missing. Same conventions as {@link LinuxFiles}:
 * C strings the caller allocated, results or {@code -errno}. A {@code NULL} buffer of size 0 asks for the size.
 */
final class LinuxXattrs {
    /** The {@code *xattrat} calls are new enough to share one number on every architecture. */
    static final long SYS_SETXATTRAT = 463;
    static final long SYS_GETXATTRAT = 464;
    static final long SYS_LISTXATTRAT = 465;
    static final long SYS_REMOVEXATTRAT = 466;
    /** {@code struct xattr_args}: u64 value pointer, u32 size, u32 flags ({@code XATTR_ARGS_SIZE_VER0}). */
    static final long XATTR_ARGS_SIZE = 16;

    private static final class FlistCall {
        // long flistxattr(int, pointer, long)
        static final MethodHandle H = h("flistxattr");
    }
    private static final class FgetCall {
        // long fgetxattr(int, pointer, pointer, long)
        static final MethodHandle H = h("fgetxattr");
    }
    private static final class FsetCall {
        // int fsetxattr(int, pointer, pointer, long, int)
        static final MethodHandle H = h("fsetxattr");
    }
    private static final class FremoveCall {
        // int fremovexattr(int, pointer)
        static final MethodHandle H = h("fremovexattr");
    }
    private static final class ListCall {
        // long listxattr(pointer, pointer, long)
        static final MethodHandle H = h("listxattr");
    }
    private static final class GetCall {
        // long getxattr(pointer, pointer, pointer, long)
        static final MethodHandle H = h("getxattr");
    }
    private static final class SetCall {
        // int setxattr(pointer, pointer, pointer, long, int)
        static final MethodHandle H = h("setxattr");
    }
    private static final class RemoveCall {
        // int removexattr(pointer, pointer)
        static final MethodHandle H = h("removexattr");
    }
    /** listxattrat(dfd, path, at_flags, list, size); every argument as a long, as the kernel reads them. */
    private static final class ListAtCall {
        // long syscall(long, long, pointer, long, pointer, long)
        static final MethodHandle H = h("syscall");
    }
    /** getxattrat and setxattrat (dfd, path, at_flags, name, struct xattr_args *, size of it). */
    private static final class ArgsAtCall {
        // long syscall(long, long, pointer, long, pointer, pointer, long)
        static final MethodHandle H = h("syscall");
    }
    /** removexattrat(dfd, path, at_flags, name). */
    private static final class RemoveAtCall {
        // long syscall(long, long, pointer, long, pointer)
        static final MethodHandle H = h("syscall");
    }

    private LinuxXattrs() {
    }

    /** Handles are made on first use, as in {@link LinuxFiles}: only {@code --xattrs} transfers need them. */
    private static MethodHandle h(String name) {
        return Sys.nativeUsable() ? LinuxNative.function(name) : null;
    }

    private static boolean present(String name) {
        return Sys.nativeUsable() && LinuxNative.symbol(name).isPresent();
    }

    /** True when libc has the fd and path calls (the {@code *at} calls are probed by {@link #atCallsWork}). */
    static boolean linked() {
        return present("flistxattr") && present("fgetxattr") && present("fsetxattr") && present("fremovexattr")
                && present("listxattr") && present("getxattr") && present("setxattr") && present("removexattr");
    }

    /**
     * Whether this kernel has the {@code *xattrat} calls and no filter refuses them: a size query of {@code /}'s
     * attribute list answers with a size (or a plain error such as EOPNOTSUPP) rather than ENOSYS or EPERM.
     */
    static boolean atCallsWork() {
        if (!present("syscall")) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            long rc = listAt(Sys.AT_FDCWD, arena.allocateFrom("/"), MemorySegment.NULL);
            return rc >= 0 || (rc != -Errno.ENOSYS && rc != -Errno.EPERM);
        }
    }

    private static long r(long rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    private static int r(int rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    static long flist(int fd, MemorySegment list) {
        try {
            return r((long) FlistCall.H.invokeExact(LinuxNative.callState(), (long) fd, LinuxNative.address(list),
                    list.byteSize(), 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long fget(int fd, MemorySegment name, MemorySegment value) {
        try {
            return r((long) FgetCall.H.invokeExact(LinuxNative.callState(), (long) fd, LinuxNative.address(name),
                    LinuxNative.address(value), value.byteSize(), 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fset(int fd, MemorySegment name, MemorySegment value) {
        try {
            return r((int) (long) FsetCall.H.invokeExact(LinuxNative.callState(), (long) fd,
                    LinuxNative.address(name), LinuxNative.address(value), value.byteSize(), 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fremove(int fd, MemorySegment name) {
        try {
            return r((int) (long) FremoveCall.H.invokeExact(LinuxNative.callState(), (long) fd,
                    LinuxNative.address(name), 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** Follows {@code path}: used only on a {@code /proc/self/fd/N} magic link, which lands on the object itself. */
    static long list(MemorySegment path, MemorySegment list) {
        try {
            return r((long) ListCall.H.invokeExact(LinuxNative.callState(), LinuxNative.address(path),
                    LinuxNative.address(list), list.byteSize(), 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long get(MemorySegment path, MemorySegment name, MemorySegment value) {
        try {
            return r((long) GetCall.H.invokeExact(LinuxNative.callState(), LinuxNative.address(path),
                    LinuxNative.address(name), LinuxNative.address(value), value.byteSize(), 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int set(MemorySegment path, MemorySegment name, MemorySegment value) {
        try {
            return r((int) (long) SetCall.H.invokeExact(LinuxNative.callState(), LinuxNative.address(path),
                    LinuxNative.address(name), LinuxNative.address(value), value.byteSize(), 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int remove(MemorySegment path, MemorySegment name) {
        try {
            return r((int) (long) RemoveCall.H.invokeExact(LinuxNative.callState(), LinuxNative.address(path),
                    LinuxNative.address(name), 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** listxattrat of {@code leaf} in {@code dirFd} itself ({@code AT_SYMLINK_NOFOLLOW}). */
    static long listAt(int dirFd, MemorySegment leaf, MemorySegment list) {
        try {
            return r((long) ListAtCall.H.invokeExact(LinuxNative.callState(), SYS_LISTXATTRAT, (long) dirFd,
                    LinuxNative.address(leaf), (long) Sys.AT_SYMLINK_NOFOLLOW, LinuxNative.address(list),
                    list.byteSize(), 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** getxattrat; {@code args} is a {@link #XATTR_ARGS_SIZE}-byte scratch segment. */
    static long getAt(int dirFd, MemorySegment leaf, MemorySegment name, MemorySegment value, MemorySegment args) {
        return argsAt(SYS_GETXATTRAT, dirFd, leaf, name, value, args);
    }

    /** setxattrat (create or replace); {@code args} as for {@link #getAt}. */
    static int setAt(int dirFd, MemorySegment leaf, MemorySegment name, MemorySegment value, MemorySegment args) {
        return (int) argsAt(SYS_SETXATTRAT, dirFd, leaf, name, value, args);
    }

    private static long argsAt(long call, int dirFd, MemorySegment leaf, MemorySegment name, MemorySegment value,
                               MemorySegment args) {
        args.set(ValueLayout.JAVA_LONG, 0, value.address());
        args.set(ValueLayout.JAVA_INT, 8, (int) value.byteSize());
        args.set(ValueLayout.JAVA_INT, 12, 0);
        try {
            return r((long) ArgsAtCall.H.invokeExact(LinuxNative.callState(), call, (long) dirFd,
                    LinuxNative.address(leaf), (long) Sys.AT_SYMLINK_NOFOLLOW, LinuxNative.address(name),
                    LinuxNative.address(args), XATTR_ARGS_SIZE));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int removeAt(int dirFd, MemorySegment leaf, MemorySegment name) {
        try {
            return (int) r((long) RemoveAtCall.H.invokeExact(LinuxNative.callState(), SYS_REMOVEXATTRAT,
                    (long) dirFd, LinuxNative.address(leaf), (long) Sys.AT_SYMLINK_NOFOLLOW,
                    LinuxNative.address(name), 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
