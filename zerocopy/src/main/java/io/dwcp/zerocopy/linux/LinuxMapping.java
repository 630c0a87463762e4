package io.dwcp.zerocopy.linux;

import static io.dwcp.core.linux.LinuxNative.C_INT;
import static io.dwcp.core.linux.LinuxNative.C_LONG;

import io.dwcp.core.linux.LinuxNative;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for {@code mmap}, {@code munmap} and {@code madvise} on files we opened ourselves (the JDK can only
 * map a {@code FileChannel}). Addresses travel as {@code long}; {@link NativeMappedRegion} turns a mapping into a
 * bounded {@code MemorySegment} whose arena unmaps it.
 */
final class LinuxMapping {
    private static final MethodHandle MMAP = h("mmap", C_LONG, C_LONG, C_LONG, C_INT, C_INT, C_INT, C_LONG);
    private static final MethodHandle MUNMAP = h("munmap", C_INT, C_LONG, C_LONG);
    private static final MethodHandle MADVISE = h("madvise", C_INT, C_LONG, C_LONG, C_INT);
    private static final MethodHandle PAGESIZE = Sys.nativeUsable()
            ? LinuxNative.downcallNoErrno("getpagesize", FunctionDescriptor.of(C_INT)) : null;
    static final long PAGE_SIZE = pageSize();

    private LinuxMapping() {
    }

    private static MethodHandle h(String name, MemoryLayout ret, MemoryLayout... args) {
        return Sys.nativeUsable() ? LinuxNative.downcall(name, FunctionDescriptor.of(ret, args)) : null;
    }

    static boolean linked() {
        return MMAP != null && MUNMAP != null && MADVISE != null;
    }

    private static long pageSize() {
        if (PAGESIZE == null) {
            return 4096;
        }
        try {
            return (int) PAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** The mapping's address, or {@code -errno} (MAP_FAILED is -1, never a valid user address). */
    static long mmap(long len, int prot, int flags, int fd, long offset) {
        try {
            long addr = (long) MMAP.invokeExact(LinuxNative.callState(), 0L, len, prot, flags, fd, offset);
            return addr == -1L ? -LinuxNative.errno() : addr;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int munmap(long addr, long len) {
        try {
            int rc = (int) MUNMAP.invokeExact(LinuxNative.callState(), addr, len);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int madvise(long addr, long len, int advice) {
        try {
            int rc = (int) MADVISE.invokeExact(LinuxNative.callState(), addr, len, advice);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
