package io.dwcp.wireguard.linux;

import io.dwcp.core.linux.SocketCalls;

import io.dwcp.core.linux.LinuxNative;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for the datagram socket calls: socket, bind, socket options, getsockname, recvmmsg, sendmmsg,
 * sendmsg, shutdown. Every method returns the call's result or {@code -errno} and allocates nothing.
 */
final class LinuxUdpCalls {
    private static final class RecvmmsgCall {
        // int recvmmsg(int, long, int, int, pointer)
        static final MethodHandle H = h("recvmmsg");
    }
    private static final class SendmmsgCall {
        // int sendmmsg(int, long, int, int)
        static final MethodHandle H = h("sendmmsg");
    }

    private LinuxUdpCalls() {
    }

    private static MethodHandle h(String name) {
        return Sys.nativeUsable() ? LinuxNative.function(name) : null;
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
            return r((int) (long) RecvmmsgCall.H.invokeExact(LinuxNative.callState(), (long) fd, mmsghdrs,
                    (long) vlen, (long) flags, LinuxNative.address(MemorySegment.NULL), 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param mmsghdrs the address of {@code struct mmsghdr[vlen]}: a resumed call starts mid-array without a slice */
    static int sendmmsg(int fd, long mmsghdrs, int vlen, int flags) {
        try {
            return r((int) (long) SendmmsgCall.H.invokeExact(LinuxNative.callState(), (long) fd, mmsghdrs,
                    (long) vlen, (long) flags, 0L, 0L, 0L));
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
