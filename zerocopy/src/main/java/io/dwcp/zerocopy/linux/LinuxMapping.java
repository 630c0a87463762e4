package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.LinuxNative;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for {@code mmap}, {@code munmap} and {@code madvise} on files we opened ourselves (the JDK can only
 * map a {@code FileChannel}). Addresses travel as {@code long}; {@link NativeMappedRegion} turns a mapping into a
 * bounded {@code MemorySegment} whose arena unmaps it.
 */
final class LinuxMapping {
    private static final class MmapCall {
        // long mmap(long, long, int, int, int, long)
        static final MethodHandle H = h("mmap");
    }
    private static final class MunmapCall {
        // int munmap(long, long)
        static final MethodHandle H = h("munmap");
    }
    private static final class MadviseCall {
        // int madvise(long, long, int)
        static final MethodHandle H = h("madvise");
    }
    // int getpagesize()
    private static final MethodHandle PAGESIZE = Sys.nativeUsable()
            ? LinuxNative.functionNoErrno("getpagesize") : null;
    static final long PAGE_SIZE = pageSize();

    private LinuxMapping() {
    }

    /**
     * Handles are made on first use (each holder class is initialised when its call first runs): making a downcall
     * handle costs milliseconds, and a sending client needs only a few of this class's calls.
     */
    private static MethodHandle h(String name) {
        return Sys.nativeUsable() ? LinuxNative.function(name) : null;
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
            return (int) (long) PAGESIZE.invokeExact(0L, 0L, 0L, 0L, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** The mapping's address, or {@code -errno} (MAP_FAILED is -1, never a valid user address). */
    static long mmap(long len, int prot, int flags, int fd, long offset) {
        try {
            long addr = (long) MmapCall.H.invokeExact(LinuxNative.callState(), 0L, len, (long) prot, (long) flags,
                    (long) fd, offset, 0L);
            return addr == -1L ? -LinuxNative.errno() : addr;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int munmap(long addr, long len) {
        try {
            int rc = (int) (long) MunmapCall.H.invokeExact(LinuxNative.callState(), addr, len, 0L, 0L, 0L, 0L, 0L);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int madvise(long addr, long len, int advice) {
        try {
            int rc = (int) (long) MadviseCall.H.invokeExact(LinuxNative.callState(), addr, len, (long) advice, 0L,
                    0L, 0L, 0L);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
