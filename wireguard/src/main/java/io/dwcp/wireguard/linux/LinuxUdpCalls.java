package io.dwcp.wireguard.linux;

import io.dwcp.core.linux.SocketCalls;
import static io.dwcp.core.linux.LinuxNative.C_INT;
import static io.dwcp.core.linux.LinuxNative.C_LONG;
import static io.dwcp.core.linux.LinuxNative.C_POINTER;

import io.dwcp.core.linux.LinuxNative;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for the datagram socket calls: socket, bind, socket options, getsockname, recvmmsg, sendmmsg,
 * sendmsg, shutdown. Every method returns the call's result or {@code -errno} and allocates nothing.
 */
final class LinuxUdpCalls {
    private static final class RecvmmsgCall {
        static final MethodHandle H = h("recvmmsg", C_INT, C_INT, C_LONG, C_INT, C_INT, C_POINTER);
    }
    private static final class SendmmsgCall {
        static final MethodHandle H = h("sendmmsg", C_INT, C_INT, C_LONG, C_INT, C_INT);
    }

    private LinuxUdpCalls() {
    }

    private static MethodHandle h(String name, MemoryLayout ret, MemoryLayout... args) {
        return Sys.nativeUsable() ? LinuxNative.downcall(name, FunctionDescriptor.of(ret, args)) : null;
    }

    private static boolean present(String name) {
        return Sys.nativeUsable() && LinuxNative.symbol(name).isPresent();
    }

    /** True when libc has every call this class makes (recvmmsg and sendmmsg since glibc 2.12 and 2.14). */
    static boolean linked() {
        return present("socket") && present("bind") && present("setsockopt") && present("getsockname")
                && present("recvmmsg") && present("sendmmsg") && present("sendmsg") && present("shutdown");
    }

    private static int r(int rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    private static long r(long rc) {
        return rc < 0 ? -LinuxNative.errno() : rc;
    }

    /** A blocking, close-on-exec UDP socket of the family. */
    static int socket(int family) {
        try {
            int type = Sys.SOCK_DGRAM | Sys.SOCK_CLOEXEC;
            return SocketCalls.socket(family, type);
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /**
     * No timeout: the socket's shutdown is what ends a wait that must end early.
     *
     * @param mmsghdrs the address of {@code struct mmsghdr[vlen]}
     */
    static int recvmmsg(int fd, long mmsghdrs, int vlen, int flags) {
        try {
            return r((int) RecvmmsgCall.H.invokeExact(LinuxNative.callState(), fd, mmsghdrs, vlen, flags,
                    MemorySegment.NULL));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param mmsghdrs the address of {@code struct mmsghdr[vlen]}: a resumed call starts mid-array without a slice */
    static int sendmmsg(int fd, long mmsghdrs, int vlen, int flags) {
        try {
            return r((int) SendmmsgCall.H.invokeExact(LinuxNative.callState(), fd, mmsghdrs, vlen, flags));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
