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
    private static final class MmapCall {
        static final MethodHandle H = h("mmap", C_LONG, C_LONG, C_LONG, C_INT, C_INT, C_INT, C_LONG);
    }
    private static final class MunmapCall {
        static final MethodHandle H = h("munmap", C_INT, C_LONG, C_LONG);
    }
    private static final class MadviseCall {
        static final MethodHandle H = h("madvise", C_INT, C_LONG, C_LONG, C_INT);
    }
    private static final MethodHandle PAGESIZE = Sys.nativeUsable()
            ? LinuxNative.downcallNoErrno("getpagesize", FunctionDescriptor.of(C_INT)) : null;
    static final long PAGE_SIZE = pageSize();

    private LinuxMapping() {
    }

    /**
     * Handles are made on first use (each holder class is initialised when its call first runs): making a downcall
     * handle costs milliseconds, and a sending client needs only a few of this class's calls.
     */
    private static MethodHandle h(String name, MemoryLayout ret, MemoryLayout... args) {
        return Sys.nativeUsable() ? LinuxNative.downcall(name, FunctionDescriptor.of(ret, args)) : null;
    }

    /** Whether libc has {@code name}, without making its handle. */
    private static boolean present(String name) {
        return Sys.nativeUsable() && LinuxNative.symbol(name).isPresent();
    }

    static boolean linked() {
        return present("mmap") && present("munmap") && present("madvise");
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
            long addr = (long) MmapCall.H.invokeExact(LinuxNative.callState(), 0L, len, prot, flags, fd, offset);
            return addr == -1L ? -LinuxNative.errno() : addr;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int munmap(long addr, long len) {
        try {
            int rc = (int) MunmapCall.H.invokeExact(LinuxNative.callState(), addr, len);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int madvise(long addr, long len, int advice) {
        try {
            int rc = (int) MadviseCall.H.invokeExact(LinuxNative.callState(), addr, len, advice);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
