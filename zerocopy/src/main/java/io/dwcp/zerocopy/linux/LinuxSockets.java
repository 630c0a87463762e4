package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.SocketCalls;

import io.dwcp.core.linux.LinuxNative;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for the socket system calls. Every method returns the call's result, or {@code -errno} when it
 * failed, so callers classify errors without an exception or an allocation on the hot path. Data buffers
 * are passed as raw addresses ({@code long}) of native memory the caller keeps alive for the call: a
 * {@link MemorySegment} argument would cost a slice object per call.
 */
final class LinuxSockets {
    private static final class ListenCall {
        // int listen(int, int)
        static final MethodHandle H = h("listen");
    }
    private static final class Accept4Call {
        // int accept4(int, pointer, pointer, int)
        static final MethodHandle H = h("accept4");
    }
    private static final class ConnectCall {
        // int connect(int, pointer, int)
        static final MethodHandle H = h("connect");
    }
    private static final class SendCall {
        // long send(int, long, long, int)
        static final MethodHandle H = h("send");
    }
    private static final class RecvCall {
        // long recv(int, long, long, int)
        static final MethodHandle H = h("recv");
    }

    private LinuxSockets() {
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

    /** True when libc has every socket call this class makes. */
    static boolean linked() {
        return present("socket") && present("bind") && present("listen") && present("accept4") && present("connect")
                && present("setsockopt") && present("getsockopt") && present("getsockname") && present("getpeername")
                && present("send") && present("recv") && present("sendmsg") && present("recvmsg") && present("shutdown")
                && present("poll");
    }

    private static int r(int rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    private static long r(long rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    /** A blocking, close-on-exec TCP socket of the family. */
    static int socket(int family) {
        try {
            return SocketCalls.socket(family, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC);
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int listen(int fd, int backlog) {
        try {
            return r((int) (long) ListenCall.H.invokeExact(LinuxNative.callState(), (long) fd, (long) backlog, 0L,
                    0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** accept4 with close-on-exec; the new socket is blocking, as its listener. */
    static int accept(int fd) {
        try {
            return r((int) (long) Accept4Call.H.invokeExact(LinuxNative.callState(), (long) fd,
                    LinuxNative.address(MemorySegment.NULL), LinuxNative.address(MemorySegment.NULL),
                    (long) Sys.SOCK_CLOEXEC, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int connect(int fd, MemorySegment addr, int len) {
        try {
            return r((int) (long) ConnectCall.H.invokeExact(LinuxNative.callState(), (long) fd,
                    LinuxNative.address(addr), (long) len, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long send(int fd, long address, long len, int flags) {
        try {
            return r((long) SendCall.H.invokeExact(LinuxNative.callState(), (long) fd, address, len, (long) flags,
                    0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long recv(int fd, long address, long len, int flags) {
        try {
            return r((long) RecvCall.H.invokeExact(LinuxNative.callState(), (long) fd, address, len, (long) flags,
                    0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
