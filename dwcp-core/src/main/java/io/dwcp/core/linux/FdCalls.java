package io.dwcp.core.linux;

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
        // int open(pointer, int)
        static final MethodHandle H = h("open");
    }
    private static final class CloseCall {
        // int close(int)
        static final MethodHandle H = h("close");
    }
    private static final class ReadCall {
        // long read(int, long, long)
        static final MethodHandle H = h("read");
    }
    private static final class WriteCall {
        // long write(int, long, long)
        static final MethodHandle H = h("write");
    }
    /** ioctl is variadic; an integer or pointer third argument travels in the same register either way on both ABIs. */
    private static final class IoctlCall {
        // int ioctl(int, long, long)
        static final MethodHandle H = h("ioctl");
    }
    private static final class PollCall {
        // int poll(pointer, long, int)
        static final MethodHandle H = h("poll");
    }
    private static final class EventfdCall {
        // int eventfd(int, int)
        static final MethodHandle H = h("eventfd");
    }

    private FdCalls() {
    }

    private static MethodHandle h(String name) {
        return LinuxNative.function(name);
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
            return r((int) (long) OpenCall.H.invokeExact(LinuxNative.callState(), LinuxNative.address(path),
                    (long) flags, 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    public static int close(int fd) {
        try {
            return r((int) (long) CloseCall.H.invokeExact(LinuxNative.callState(), (long) fd, 0L, 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    public static long read(int fd, long address, long len) {
        try {
            return r((long) ReadCall.H.invokeExact(LinuxNative.callState(), (long) fd, address, len, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    public static long write(int fd, long address, long len) {
        try {
            return r((long) WriteCall.H.invokeExact(LinuxNative.callState(), (long) fd, address, len, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    /** @param arg the ioctl's argument: a value, or the address of a struct the caller keeps alive */
    public static int ioctl(int fd, long request, long arg) {
        try {
            return r((int) (long) IoctlCall.H.invokeExact(LinuxNative.callState(), (long) fd, request, arg, 0L, 0L,
                    0L, 0L));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    /** @param pollfds {@code struct pollfd[nfds]} */
    public static int poll(MemorySegment pollfds, long nfds, int timeoutMillis) {
        try {
            return r((int) (long) PollCall.H.invokeExact(LinuxNative.callState(), LinuxNative.address(pollfds), nfds,
                    (long) timeoutMillis, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    public static int eventfd(int initial, int flags) {
        try {
            return r((int) (long) EventfdCall.H.invokeExact(LinuxNative.callState(), (long) initial, (long) flags,
                    0L, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }
}
