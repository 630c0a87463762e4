package io.dwcp.numa.linux;

import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.LinuxNative;
import io.dwcp.core.linux.NativeIoException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

/**
 * The scheduler boundary: {@code sched_setaffinity}/{@code sched_getaffinity} for the calling thread,
 * {@code gettid} and {@code getcpu}. CPU sets cross it as sorted {@code int[]} so that the layer above owns
 * its own types. A missing symbol leaves its handle null; callers check {@link #affinityAvailable()} once.
 */
public final class LinuxSched {
    /** 8192 CPUs: the kernel refuses a get mask smaller than its own {@code nr_cpu_ids}, and 1 KiB is cheap. */
    private static final int MASK_BYTES = 1024;
    private static final int MAX_CPU = MASK_BYTES * 8;

    // int sched_setaffinity(int, long, pointer)
    private static final MethodHandle SET_AFFINITY = LinuxNative.function("sched_setaffinity");
    // int sched_getaffinity(int, long, pointer)
    private static final MethodHandle GET_AFFINITY = LinuxNative.function("sched_getaffinity");
    // int gettid()
    private static final MethodHandle GETTID = LinuxNative.functionNoErrno("gettid");
    // int getcpu(pointer, pointer)
    private static final MethodHandle GETCPU = LinuxNative.function("getcpu");
    /** getcpu's two out-parameters, one pair per thread, so that asking for the current node allocates nothing. */
    private static final ThreadLocal<MemorySegment[]> CPU_NODE = ThreadLocal.withInitial(() -> {
        MemorySegment both = Arena.ofAuto().allocate(8, 4);
        return new MemorySegment[] {both.asSlice(0, 4), both.asSlice(4, 4)};
    });

    private LinuxSched() {
    }

    /** True when this thread's affinity can be both set and read back. */
    public static boolean affinityAvailable() {
        return SET_AFFINITY != null && GET_AFFINITY != null;
    }

    /** True when {@link #currentCpu()}/{@link #currentNode()} ask the kernel. */
    public static boolean getcpuAvailable() {
        return GETCPU != null;
    }

    /** Restricts the calling thread to {@code cpus} (non-empty, each below 8192). */
    public static void setAffinity(int[] cpus) throws NativeIoException {
        if (SET_AFFINITY == null) {
            throw new NativeIoException("sched_setaffinity", Errno.ENOSYS);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES, 8);
            for (int cpu : cpus) {
                if (cpu < 0 || cpu >= MAX_CPU) {
                    throw new IllegalArgumentException("cpu=" + cpu + " reason=out-of-range max=" + (MAX_CPU - 1));
                }
                long word = mask.getAtIndex(ValueLayout.JAVA_LONG, cpu >>> 6);
                mask.setAtIndex(ValueLayout.JAVA_LONG, cpu >>> 6, word | (1L << (cpu & 63)));
            }
            int rc = (int) (long) SET_AFFINITY.invokeExact(LinuxNative.callState(), 0L, (long) MASK_BYTES,
                    LinuxNative.address(mask), 0L, 0L, 0L, 0L);
            if (rc != 0) {
                throw new NativeIoException("sched_setaffinity", LinuxNative.errno(), "cpus=" + Arrays.toString(cpus));
            }
        } catch (NativeIoException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The CPUs the calling thread may run on, ascending. */
    public static int[] getAffinity() throws NativeIoException {
        if (GET_AFFINITY == null) {
            throw new NativeIoException("sched_getaffinity", Errno.ENOSYS);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES, 8);
            int rc = (int) (long) GET_AFFINITY.invokeExact(LinuxNative.callState(), 0L, (long) MASK_BYTES,
                    LinuxNative.address(mask), 0L, 0L, 0L, 0L);
            if (rc != 0) {
                throw new NativeIoException("sched_getaffinity", LinuxNative.errno());
            }
            int[] out = new int[MAX_CPU];
            int n = 0;
            for (int w = 0; w < MASK_BYTES / 8; w++) {
                long word = mask.getAtIndex(ValueLayout.JAVA_LONG, w);
                while (word != 0) {
                    out[n++] = (w << 6) + Long.numberOfTrailingZeros(word);
                    word &= word - 1;
                }
            }
            return Arrays.copyOf(out, n);
        } catch (NativeIoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The calling thread's kernel id (as in {@code /proc/self/task/TID}), or -1 where libc has no gettid. */
    public static int gettid() {
        if (GETTID == null) {
            return -1;
        }
        try {
            return (int) (long) GETTID.invokeExact(0L, 0L, 0L, 0L, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The CPU the calling thread runs on right now, or -1 when unknown. */
    public static int currentCpu() {
        return getcpu(0);
    }

    /** The NUMA node of the CPU the calling thread runs on right now, or -1 when unknown. Allocates nothing. */
    public static int currentNode() {
        return getcpu(1);
    }

    private static int getcpu(int which) {
        if (GETCPU == null) {
            return -1;
        }
        MemorySegment[] out = CPU_NODE.get();
        try {
            int rc = (int) (long) GETCPU.invokeExact(LinuxNative.callState(), LinuxNative.address(out[0]),
                    LinuxNative.address(out[1]), 0L, 0L, 0L, 0L, 0L);
            return rc == 0 ? out[which].get(ValueLayout.JAVA_INT, 0) : -1;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
