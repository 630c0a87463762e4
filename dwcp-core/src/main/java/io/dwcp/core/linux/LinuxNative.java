package io.dwcp.core.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * The one door to libc: looks symbols up and makes downcall handles that capture {@code errno} right after the
 * call (reading it later from Java is unreliable: the JVM itself may make system calls in between).
 *
 * <p>Every function is linked with one shape, {@link #CALL}, and boundary classes use it like this:
 * <pre>{@code
 * MethodHandle SENDFILE = LinuxNative.function("sendfile"); // long sendfile(int, int, pointer, long)
 * long rc = (long) SENDFILE.invokeExact(LinuxNative.callState(), (long) out, (long) in, LinuxNative.address(offset),
 *         count, 0L, 0L, 0L);
 * if (rc < 0) { int errno = LinuxNative.errno(); ... }
 * }</pre>
 * A handle for a symbol this libc lacks is {@code null}; callers choose their portable fallback once, at
 * start-up, from {@link #available()} and from the handles they got.
 */
public final class LinuxNative {
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    private static final Linker LINKER = LINUX ? Linker.nativeLinker() : null;
    private static final SymbolLookup LIBC = LINUX ? LINKER.defaultLookup() : null;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /**
     * One capture buffer per thread, allocated once: calls on hot paths allocate nothing. An automatic arena because
     * a thread-local cannot be freed when its thread ends; 4 bytes a thread, gone with the thread.
     */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    private LinuxNative() {
    }

    /** True on Linux with a native linker: the only place native paths may run. */
    public static boolean available() {
        return LINUX && LINKER != null;
    }

    /** The address of a libc symbol, if this libc has it. */
    public static Optional<MemorySegment> symbol(String name) {
        return available() ? LIBC.find(name) : Optional.empty();
    }

    /**
     * The one shape every libc function is linked with: seven integer-or-pointer arguments, one integer result. A
     * downcall handle's shape costs the JVM classes it spins at run time (milliseconds each, in every process: a
     * client made 19 shapes, a server 23); handles of one shape share them. On the two supported ABIs, x86-64
     * System V and AArch64 Linux, each integer or pointer argument has a register (the seventh on x86-64, a stack
     * slot) of its own, and a function reads only the parameters it declares, an int from the low half of its
     * register; so a function of fewer or narrower parameters gets exactly its arguments, and unused ones are
     * ignored. An int result is the low half of the result register: callers cast the long to int. Variadic
     * functions ({@code syscall}, {@code ioctl}, {@code fcntl}) take integer variadic arguments in those same places
     * on both ABIs. Pointers go as addresses ({@link #address}).
     */
    public static final FunctionDescriptor CALL = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);

    /**
     * libc's {@code name} in the {@link #CALL} shape, capturing errno: invoked as
     * {@code (long) h.invokeExact(callState(), a0, a1, a2, a3, a4, a5, a6)}. Null when libc lacks it.
     */
    public static MethodHandle function(String name) {
        return downcall(name, CALL);
    }

    /** As {@link #function}, without errno capture: {@code (long) h.invokeExact(a0, a1, a2, a3, a4, a5, a6)}. */
    public static MethodHandle functionNoErrno(String name) {
        return downcallNoErrno(name, CALL);
    }

    /**
     * A pointer argument: the address of a native segment that is alive. A segment passed as a pointer was checked by
     * the linker; an address is not, so this is where a heap or closed segment is refused.
     *
     * @throws IllegalArgumentException for a heap segment
     * @throws IllegalStateException for a segment whose arena is closed
     */
    public static long address(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment=heap reason=native-memory-needed");
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("segment=closed reason=arena-closed");
        }
        return segment.address();
    }

    /**
     * A downcall handle whose first parameter is the call-state segment ({@link #callState()}), or null when
     * libc has no such symbol (an old libc: the caller falls back).
     */
    @SuppressWarnings("restricted")
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return symbol(name).map(s -> LINKER.downcallHandle(s, descriptor, CAPTURE_ERRNO)).orElse(null);
    }

    /** A downcall handle without errno capture, for calls that cannot fail; null when absent. */
    @SuppressWarnings("restricted")
    public static MethodHandle downcallNoErrno(String name, FunctionDescriptor descriptor) {
        return symbol(name).map(s -> LINKER.downcallHandle(s, descriptor)).orElse(null);
    }

    /** This thread's call-state segment: pass it as the first argument of a handle from {@link #downcall}. */
    public static MemorySegment callState() {
        return STATE.get();
    }

    /** The errno captured by this thread's last call through a {@link #downcall} handle. */
    public static int errno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    /** A C {@code int} layout, for the boundary classes' descriptors. */
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    /** A C {@code long} / {@code ssize_t} / {@code size_t} / {@code off_t} on LP64 Linux. */
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    /** A C pointer. */
    public static final ValueLayout C_POINTER = ValueLayout.ADDRESS;
}
