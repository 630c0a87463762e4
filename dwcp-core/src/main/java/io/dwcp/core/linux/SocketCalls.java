package io.dwcp.core.linux;

import static io.dwcp.core.linux.LinuxNative.C_INT;
import static io.dwcp.core.linux.LinuxNative.C_LONG;
import static io.dwcp.core.linux.LinuxNative.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
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
        static final MethodHandle H = h("socket", C_INT, C_INT, C_INT, C_INT);
    }
    private static final class BindCall {
        static final MethodHandle H = h("bind", C_INT, C_INT, C_POINTER, C_INT);
    }
    private static final class SetsockoptCall {
        static final MethodHandle H = h("setsockopt", C_INT, C_INT, C_INT, C_INT, C_POINTER, C_INT);
    }
    private static final class GetsockoptCall {
        static final MethodHandle H = h("getsockopt", C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER);
    }
    private static final class GetsocknameCall {
        static final MethodHandle H = h("getsockname", C_INT, C_INT, C_POINTER, C_POINTER);
    }
    private static final class GetpeernameCall {
        static final MethodHandle H = h("getpeername", C_INT, C_INT, C_POINTER, C_POINTER);
    }
    private static final class SendmsgCall {
        static final MethodHandle H = h("sendmsg", C_LONG, C_INT, C_POINTER, C_INT);
    }
    private static final class RecvmsgCall {
        static final MethodHandle H = h("recvmsg", C_LONG, C_INT, C_POINTER, C_INT);
    }
    private static final class ShutdownCall {
        static final MethodHandle H = h("shutdown", C_INT, C_INT, C_INT);
    }

    private SocketCalls() {
    }

    /** Handles are made on first use (each holder class initialises when its call first runs). */
    private static MethodHandle h(String name, MemoryLayout ret, MemoryLayout... args) {
        return LinuxNative.downcall(name, FunctionDescriptor.of(ret, args));
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
            return r((int) SocketCall.H.invokeExact(LinuxNative.callState(), family, type, 0));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static int bind(int fd, MemorySegment addr, int len) {
        try {
            return r((int) BindCall.H.invokeExact(LinuxNative.callState(), fd, addr, len));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static int setsockopt(int fd, int level, int name, MemorySegment value, int len) {
        try {
            return r((int) SetsockoptCall.H.invokeExact(LinuxNative.callState(), fd, level, name, value, len));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    /** @param lenPtr a socklen_t holding the buffer size in, the returned size out */
    public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment lenPtr) {
        try {
            return r((int) GetsockoptCall.H.invokeExact(LinuxNative.callState(), fd, level, name, value, lenPtr));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static int getsockname(int fd, MemorySegment addr, MemorySegment lenPtr) {
        try {
            return r((int) GetsocknameCall.H.invokeExact(LinuxNative.callState(), fd, addr, lenPtr));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static int getpeername(int fd, MemorySegment addr, MemorySegment lenPtr) {
        try {
            return r((int) GetpeernameCall.H.invokeExact(LinuxNative.callState(), fd, addr, lenPtr));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static long sendmsg(int fd, MemorySegment msghdr, int flags) {
        try {
            return r((long) SendmsgCall.H.invokeExact(LinuxNative.callState(), fd, msghdr, flags));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static long recvmsg(int fd, MemorySegment msghdr, int flags) {
        try {
            return r((long) RecvmsgCall.H.invokeExact(LinuxNative.callState(), fd, msghdr, flags));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }

    public static int shutdown(int fd, int how) {
        try {
            return r((int) ShutdownCall.H.invokeExact(LinuxNative.callState(), fd, how));
        } catch (Throwable t) {
            throw linkError(t);
        }
    }
}
