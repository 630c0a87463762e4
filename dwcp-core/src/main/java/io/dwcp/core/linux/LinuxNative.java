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
 * <p>Boundary classes use it like this:
 * <pre>{@code
 * MethodHandle SENDFILE = LinuxNative.downcall("sendfile", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
 * long rc = (long) SENDFILE.invokeExact(LinuxNative.callState(), out, in, offset, count);
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
