package io.dwcp.numa.linux;

import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.LinuxNative;
import io.dwcp.core.linux.NativeIoException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * The memory boundary: anonymous {@code mmap}/{@code munmap}, {@code madvise}, and {@code mbind} /
 * {@code set_mempolicy}, which glibc does not wrap and which therefore go through {@code syscall()} with the
 * number for this architecture. A mapping comes back as a segment owned by the caller's arena, whose close
 * unmaps it: a slab touched after its pool closed fails with an exception instead of a SIGSEGV.
 */
public final class LinuxMemory {
    public static final int MADV_HUGEPAGE = 14;
    /** Faults the range in, writable, in one call (Linux 5.14); EINVAL on older kernels. */
    public static final int MADV_POPULATE_WRITE = 23;
    public static final int MPOL_DEFAULT = 0;
    public static final int MPOL_PREFERRED = 1;
    public static final int MPOL_BIND = 2;

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_HUGETLB = 0x40000;
    private static final long MAP_FAILED = -1L;

    // pointer mmap(pointer, long, int, int, int, long)
    private static final MethodHandle MMAP = LinuxNative.function("mmap");
    // int munmap(pointer, long)
    private static final MethodHandle MUNMAP = LinuxNative.function("munmap");
    // int madvise(pointer, long, int)
    private static final MethodHandle MADVISE = LinuxNative.function("madvise");
    // long syscall(long, ...): its integer arguments travel as a fixed-arity call's would (see LinuxNative.CALL)
    private static final MethodHandle SYSCALL = LinuxNative.function("syscall");
    private static final String ARCH = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    private static final long SYS_MBIND = switch (ARCH) {
        case "amd64", "x86_64" -> 237;
        case "aarch64", "arm64" -> 235;
        default -> -1;
    };
    private static final long SYS_SET_MEMPOLICY = switch (ARCH) {
        case "amd64", "x86_64" -> 238;
        case "aarch64", "arm64" -> 237;
        default -> -1;
    };

    private LinuxMemory() {
    }

    /** True when anonymous mappings can be made and released here. */
    public static boolean mmapAvailable() {
        return MMAP != null && MUNMAP != null && MADVISE != null;
    }

    /** True when {@link #mbind} and {@link #setMempolicy} reach the kernel (known architecture, libc syscall). */
    public static boolean policyAvailable() {
        return SYSCALL != null && SYS_MBIND > 0;
    }

    /**
     * Maps {@code bytes} of private anonymous memory whose start is a multiple of {@code alignment} (a power of
     * two, at least 4 KiB), read-write, not yet faulted in. With {@code hugetlb} the pages come from the
     * reserved huge-page pool and the kernel aligns to the huge-page size itself; {@code bytes} must then be a
     * multiple of it. The segment belongs to {@code arena}; closing the arena unmaps it.
     *
     * @throws NativeIoException ENOMEM when the memory (or, with {@code hugetlb}, the reserved pages) is short
     */
    @SuppressWarnings("restricted")
    public static MemorySegment map(long bytes, long alignment, boolean hugetlb, Arena arena) throws NativeIoException {
        // Over-map by the alignment and trim both ends: THP needs 2 MiB-aligned ranges to use huge pages at all.
        long slack = hugetlb ? 0 : Math.max(0, alignment - 4096);
        int flags = MAP_PRIVATE | MAP_ANONYMOUS | (hugetlb ? MAP_HUGETLB : 0);
        long base = mmap(bytes + slack, flags);
        long address = hugetlb ? base : (base + alignment - 1) & -alignment;
        unmap(base, address - base);
        unmap(address + bytes, base + slack - address);
        return MemorySegment.ofAddress(address).reinterpret(bytes, arena, s -> unmap(address, bytes));
    }

    /** {@code madvise(advice)} over the whole segment; 0 on success, else the errno (never throws). */
    public static int madvise(MemorySegment segment, int advice) {
        try {
            int rc = (int) (long) MADVISE.invokeExact(LinuxNative.callState(), LinuxNative.address(segment),
                    segment.byteSize(), (long) advice, 0L, 0L, 0L, 0L);
            return rc == 0 ? 0 : LinuxNative.errno();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * {@code mbind(segment, mode, {node})}: where the segment's pages will be faulted in. Call before touching
     * them (the pages already present stay where they are). 0 on success, else the errno.
     */
    public static int mbind(MemorySegment segment, int mode, int node) {
        if (!policyAvailable()) {
            return Errno.ENOSYS;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = nodeMask(arena, node);
            long rc = (long) SYSCALL.invokeExact(LinuxNative.callState(), SYS_MBIND, segment.address(),
                    segment.byteSize(), (long) mode, mask.address(), mask.byteSize() * 8 + 1, 0L);
            return rc == 0 ? 0 : LinuxNative.errno();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * {@code set_mempolicy(mode, {node})} for the calling thread's future page faults; {@code node < 0} with
     * {@link #MPOL_DEFAULT} clears it. 0 on success, else the errno.
     */
    public static int setMempolicy(int mode, int node) {
        if (!policyAvailable()) {
            return Errno.ENOSYS;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = node < 0 ? MemorySegment.NULL : nodeMask(arena, node);
            long maxNode = node < 0 ? 0 : mask.byteSize() * 8 + 1;
            long rc = (long) SYSCALL.invokeExact(LinuxNative.callState(), SYS_SET_MEMPOLICY, (long) mode,
                    mask.address(), maxNode, 0L, 0L, 0L);
            return rc == 0 ? 0 : LinuxNative.errno();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A one-bit node mask in whole {@code unsigned long}s, as the kernel reads it. */
    private static MemorySegment nodeMask(Arena arena, int node) {
        if (node < 0 || node >= 4096) {
            throw new IllegalArgumentException("node=" + node + " reason=out-of-range");
        }
        MemorySegment mask = arena.allocate(((node >>> 6) + 1) * 8L, 8);
        mask.setAtIndex(ValueLayout.JAVA_LONG, node >>> 6, 1L << (node & 63));
        return mask;
    }

    private static long mmap(long bytes, int flags) throws NativeIoException {
        try {
            long p = (long) MMAP.invokeExact(LinuxNative.callState(), 0L, bytes, (long) (PROT_READ | PROT_WRITE),
                    (long) flags, -1L, 0L, 0L);
            if (p == MAP_FAILED) {
                throw new NativeIoException("mmap", LinuxNative.errno(), "bytes=" + bytes
                        + ((flags & MAP_HUGETLB) != 0 ? " flags=MAP_HUGETLB" : ""));
            }
            return p;
        } catch (NativeIoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Cleanup actions cannot throw: a failing munmap (only EINVAL, a bug) is left to the assertion. */
    private static void unmap(long address, long bytes) {
        if (bytes == 0) {
            return;
        }
        try {
            int rc = (int) (long) MUNMAP.invokeExact(LinuxNative.callState(), address, bytes, 0L, 0L, 0L, 0L, 0L);
            assert rc == 0 : "op=munmap errno=" + Errno.name(LinuxNative.errno());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
