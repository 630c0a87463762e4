package io.dwcp.core.linux;

import static io.dwcp.core.linux.LinuxNative.C_INT;
import static io.dwcp.core.linux.LinuxNative.C_LONG;
import static io.dwcp.core.linux.LinuxNative.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for the calls on any file descriptor: open, close, read, write, ioctl, poll, eventfd (the TUN device, the
 * data plane's sockets and files).
 * Every method returns the call's result or {@code -errno}, never throws for a failed call, and allocates
 * nothing; buffers go as raw addresses of native memory the caller keeps alive.
 */
public final class FdCalls {
    private static final class OpenCall {
        static final MethodHandle H = h("open", C_INT, C_POINTER, C_INT);
    }
    private static final class CloseCall {
        static final MethodHandle H = h("close", C_INT, C_INT);
    }
    private static final class ReadCall {
        static final MethodHandle H = h("read", C_LONG, C_INT, C_LONG, C_LONG);
    }
    private static final class WriteCall {
        static final MethodHandle H = h("write", C_LONG, C_INT, C_LONG, C_LONG);
    }
    /** ioctl is variadic; an integer or pointer third argument travels in the same register either way on both ABIs. */
    private static final class IoctlCall {
        static final MethodHandle H = h("ioctl", C_INT, C_INT, C_LONG, C_LONG);
    }
    private static final class PollCall {
        static final MethodHandle H = h("poll", C_INT, C_POINTER, C_LONG, C_INT);
    }
    private static final class EventfdCall {
        static final MethodHandle H = h("eventfd", C_INT, C_INT, C_INT);
    }

    private FdCalls() {
    }

    private static MethodHandle h(String name, MemoryLayout ret, MemoryLayout... args) {
        return LinuxNative.downcall(name, FunctionDescriptor.of(ret, args));
    }

    private static boolean present(String name) {
        return LinuxNative.symbol(name).isPresent();
    }

    /** True when libc has every call this class makes. */
    public static boolean linked() {
        return present("open") && present("close") && present("read") && present("write") && present("ioctl")
                && present("poll") && present("eventfd");
    }

    private static int r(int rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    private static long r(long rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    /** @param path a NUL-terminated path */
    public static int open(MemorySegment path, int flags) {
        try {
            return r((int) OpenCall.H.invokeExact(LinuxNative.callState(), path, flags));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    public static int close(int fd) {
        try {
            return r((int) CloseCall.H.invokeExact(LinuxNative.callState(), fd));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    public static long read(int fd, long address, long len) {
        try {
            return r((long) ReadCall.H.invokeExact(LinuxNative.callState(), fd, address, len));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    public static long write(int fd, long address, long len) {
        try {
            return r((long) WriteCall.H.invokeExact(LinuxNative.callState(), fd, address, len));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    /** @param arg the ioctl's argument: a value, or the address of a struct the caller keeps alive */
    public static int ioctl(int fd, long request, long arg) {
        try {
            return r((int) IoctlCall.H.invokeExact(LinuxNative.callState(), fd, request, arg));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    /** @param pollfds {@code struct pollfd[nfds]} */
    public static int poll(MemorySegment pollfds, long nfds, int timeoutMillis) {
        try {
            return r((int) PollCall.H.invokeExact(LinuxNative.callState(), pollfds, nfds, timeoutMillis));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    public static int eventfd(int initial, int flags) {
        try {
            return r((int) EventfdCall.H.invokeExact(LinuxNative.callState(), initial, flags));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }
}
