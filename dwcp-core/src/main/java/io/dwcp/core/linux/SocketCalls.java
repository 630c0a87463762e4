package io.dwcp.core.linux;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for the socket calls every kind of socket uses (the data plane's TCP sockets, the tunnel's UDP socket):
 * socket, bind, socket options and names, sendmsg/recvmsg, shutdown. Each returns the call's result or
 * {@code -errno}, so callers classify errors without an exception or an allocation. Calls particular to one kind
 * of socket (TCP's listen/accept/connect, UDP's recvmmsg/sendmmsg) live with that kind.
 */
public final class SocketCalls {
    private static final class SocketCall {
        // int socket(int, int, int)
        static final MethodHandle H = h("socket");
    }
    private static final class BindCall {
        // int bind(int, pointer, int)
        static final MethodHandle H = h("bind");
    }
    private static final class SetsockoptCall {
        // int setsockopt(int, int, int, pointer, int)
        static final MethodHandle H = h("setsockopt");
    }
    private static final class GetsockoptCall {
        // int getsockopt(int, int, int, pointer, pointer)
        static final MethodHandle H = h("getsockopt");
    }
    private static final class GetsocknameCall {
        // int getsockname(int, pointer, pointer)
        static final MethodHandle H = h("getsockname");
    }
    private static final class GetpeernameCall {
        // int getpeername(int, pointer, pointer)
        static final MethodHandle H = h("getpeername");
    }
    private static final class SendmsgCall {
        // long sendmsg(int, pointer, int)
        static final MethodHandle H = h("sendmsg");
    }
    private static final class RecvmsgCall {
        // long recvmsg(int, pointer, int)
        static final MethodHandle H = h("recvmsg");
    }
    private static final class ShutdownCall {
        // int shutdown(int, int)
        static final MethodHandle H = h("shutdown");
    }

    private SocketCalls() {
    }

    /** Handles are made on first use (each holder class initialises when its call first runs). */
    private static MethodHandle h(String name) {
        return LinuxNative.function(name);
    }

    /** Whether libc has every call here, without making the handles. */
    public static boolean linked() {
        for (String s : new String[] {"socket", "bind", "setsockopt", "getsockopt", "getsockname", "getpeername",
                "sendmsg", "recvmsg", "shutdown"}) {
            if (LinuxNative.symbol(s).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static int r(int rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    private static long r(long rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    private static AssertionError linkError(Throwable t) {
        return new AssertionError("downcall failed", t);
    }

    /** @param type the socket type with its flags ({@code SOCK_STREAM | SOCK_CLOEXEC}, ...) */
    public static int socket(int family, int type) {
        try {
            return r((int) (long) SocketCall.H.invokeExact(LinuxNative.callState(), (long) family, (long) type, 0L,
                    0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static int bind(int fd, MemorySegment addr, int len) {
        try {
            return r((int) (long) BindCall.H.invokeExact(LinuxNative.callState(), (long) fd,
                    LinuxNative.address(addr), (long) len, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static int setsockopt(int fd, int level, int name, MemorySegment value, int len) {
        try {
            return r((int) (long) SetsockoptCall.H.invokeExact(LinuxNative.callState(), (long) fd, (long) level,
                    (long) name, LinuxNative.address(value), (long) len, 0L, 0L));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    /** @param lenPtr a socklen_t holding the buffer size in, the returned size out */
    public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment lenPtr) {
        try {
            return r((int) (long) GetsockoptCall.H.invokeExact(LinuxNative.callState(), (long) fd, (long) level,
                    (long) name, LinuxNative.address(value), LinuxNative.address(lenPtr), 0L, 0L));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static int getsockname(int fd, MemorySegment addr, MemorySegment lenPtr) {
        try {
            return r((int) (long) GetsocknameCall.H.invokeExact(LinuxNative.callState(), (long) fd,
                    LinuxNative.address(addr), LinuxNative.address(lenPtr), 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static int getpeername(int fd, MemorySegment addr, MemorySegment lenPtr) {
        try {
            return r((int) (long) GetpeernameCall.H.invokeExact(LinuxNative.callState(), (long) fd,
                    LinuxNative.address(addr), LinuxNative.address(lenPtr), 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static long sendmsg(int fd, MemorySegment msghdr, int flags) {
        try {
            return r((long) SendmsgCall.H.invokeExact(LinuxNative.callState(), (long) fd,
                    LinuxNative.address(msghdr), (long) flags, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static long recvmsg(int fd, MemorySegment msghdr, int flags) {
        try {
            return r((long) RecvmsgCall.H.invokeExact(LinuxNative.callState(), (long) fd,
                    LinuxNative.address(msghdr), (long) flags, 0L, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static int shutdown(int fd, int how) {
        try {
            return r((int) (long) ShutdownCall.H.invokeExact(LinuxNative.callState(), (long) fd, (long) how, 0L, 0L,
                    0L, 0L, 0L));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }
}
