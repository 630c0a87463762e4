package io.dwcp.zerocopy.linux;

import static io.dwcp.core.linux.LinuxNative.C_INT;
import static io.dwcp.core.linux.LinuxNative.C_LONG;
import static io.dwcp.core.linux.LinuxNative.C_POINTER;

import io.dwcp.core.linux.LinuxNative;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for the socket system calls. Every method returns the call's result, or {@code -errno} when it
 * failed, so callers classify errors without an exception or an allocation on the hot path. Data buffers
 * are passed as raw addresses ({@code long}) of native memory the caller keeps alive for the call: a
 * {@link MemorySegment} argument would cost a slice object per call.
 */
final class LinuxSockets {
    private static final MethodHandle SOCKET = h("socket", C_INT, C_INT, C_INT, C_INT);
    private static final MethodHandle BIND = h("bind", C_INT, C_INT, C_POINTER, C_INT);
    private static final MethodHandle LISTEN = h("listen", C_INT, C_INT, C_INT);
    private static final MethodHandle ACCEPT4 = h("accept4", C_INT, C_INT, C_POINTER, C_POINTER, C_INT);
    private static final MethodHandle CONNECT = h("connect", C_INT, C_INT, C_POINTER, C_INT);
    private static final MethodHandle SETSOCKOPT = h("setsockopt", C_INT, C_INT, C_INT, C_INT, C_POINTER, C_INT);
    private static final MethodHandle GETSOCKOPT = h("getsockopt", C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER);
    private static final MethodHandle GETSOCKNAME = h("getsockname", C_INT, C_INT, C_POINTER, C_POINTER);
    private static final MethodHandle GETPEERNAME = h("getpeername", C_INT, C_INT, C_POINTER, C_POINTER);
    private static final MethodHandle SEND = h("send", C_LONG, C_INT, C_LONG, C_LONG, C_INT);
    private static final MethodHandle RECV = h("recv", C_LONG, C_INT, C_LONG, C_LONG, C_INT);
    private static final MethodHandle SENDMSG = h("sendmsg", C_LONG, C_INT, C_POINTER, C_INT);
    private static final MethodHandle RECVMSG = h("recvmsg", C_LONG, C_INT, C_POINTER, C_INT);
    private static final MethodHandle SHUTDOWN = h("shutdown", C_INT, C_INT, C_INT);
    private static final MethodHandle POLL = h("poll", C_INT, C_POINTER, C_LONG, C_INT);

    private LinuxSockets() {
    }

    private static MethodHandle h(String name, java.lang.foreign.MemoryLayout ret, java.lang.foreign.MemoryLayout... args) {
        return Sys.nativeUsable() ? LinuxNative.downcall(name, FunctionDescriptor.of(ret, args)) : null;
    }

    /** True when libc has every socket call this class makes. */
    static boolean linked() {
        return SOCKET != null && BIND != null && LISTEN != null && ACCEPT4 != null && CONNECT != null
                && SETSOCKOPT != null && GETSOCKOPT != null && GETSOCKNAME != null && GETPEERNAME != null
                && SEND != null && RECV != null && SENDMSG != null && RECVMSG != null && SHUTDOWN != null
                && POLL != null;
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
            return r((int) SOCKET.invokeExact(LinuxNative.callState(), family, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int bind(int fd, MemorySegment addr, int len) {
        try {
            return r((int) BIND.invokeExact(LinuxNative.callState(), fd, addr, len));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int listen(int fd, int backlog) {
        try {
            return r((int) LISTEN.invokeExact(LinuxNative.callState(), fd, backlog));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** accept4 with close-on-exec; the new socket is blocking, as its listener. */
    static int accept(int fd) {
        try {
            return r((int) ACCEPT4.invokeExact(LinuxNative.callState(), fd, MemorySegment.NULL, MemorySegment.NULL,
                    Sys.SOCK_CLOEXEC));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int connect(int fd, MemorySegment addr, int len) {
        try {
            return r((int) CONNECT.invokeExact(LinuxNative.callState(), fd, addr, len));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int setsockopt(int fd, int level, int name, MemorySegment value, int len) {
        try {
            return r((int) SETSOCKOPT.invokeExact(LinuxNative.callState(), fd, level, name, value, len));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param lenPtr a socklen_t holding the buffer size in, the returned size out */
    static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment lenPtr) {
        try {
            return r((int) GETSOCKOPT.invokeExact(LinuxNative.callState(), fd, level, name, value, lenPtr));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int getsockname(int fd, MemorySegment addr, MemorySegment lenPtr) {
        try {
            return r((int) GETSOCKNAME.invokeExact(LinuxNative.callState(), fd, addr, lenPtr));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int getpeername(int fd, MemorySegment addr, MemorySegment lenPtr) {
        try {
            return r((int) GETPEERNAME.invokeExact(LinuxNative.callState(), fd, addr, lenPtr));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long send(int fd, long address, long len, int flags) {
        try {
            return r((long) SEND.invokeExact(LinuxNative.callState(), fd, address, len, flags));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long recv(int fd, long address, long len, int flags) {
        try {
            return r((long) RECV.invokeExact(LinuxNative.callState(), fd, address, len, flags));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long sendmsg(int fd, MemorySegment msghdr, int flags) {
        try {
            return r((long) SENDMSG.invokeExact(LinuxNative.callState(), fd, msghdr, flags));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static long recvmsg(int fd, MemorySegment msghdr, int flags) {
        try {
            return r((long) RECVMSG.invokeExact(LinuxNative.callState(), fd, msghdr, flags));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int shutdown(int fd, int how) {
        try {
            return r((int) SHUTDOWN.invokeExact(LinuxNative.callState(), fd, how));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param pollfds {@code struct pollfd[nfds]}: int fd, short events, short revents */
    static int poll(MemorySegment pollfds, long nfds, int timeoutMillis) {
        try {
            return r((int) POLL.invokeExact(LinuxNative.callState(), pollfds, nfds, timeoutMillis));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
