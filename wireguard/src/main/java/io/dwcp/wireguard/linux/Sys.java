package io.dwcp.wireguard.linux;

import io.dwcp.core.linux.LinuxNative;
import java.util.Locale;

/**
 * Kernel ABI constants and struct offsets for TUN and UDP. Checked against the C headers on x86-64 (glibc,
 * linux/if_tun.h, linux/udp.h, linux/virtio_net.h) with {@code printf}/{@code offsetof}; every value used here
 * is the same on arm64, which takes the O_ flags, socket options and {@code _IOC} ioctl encoding from
 * asm-generic, and shares the LP64 struct layouts.
 */
final class Sys {
    /** The native paths are written and tested for these two 64-bit ABIs only. */
    static final boolean SUPPORTED_ARCH =
            System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).matches("amd64|x86_64|aarch64");

    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;

    /** {@code _IOW('T', 202, int)} and friends; the argument of TUNSETOFFLOAD is the flag word itself. */
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    static final short IFF_TUN = 0x0001;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_VNET_HDR = 0x4000;
    static final int TUN_F_CSUM = 1;
    static final int TUN_F_TSO4 = 2;
    static final int TUN_F_TSO6 = 4;
    static final int TUN_F_TSO_ECN = 8;
    /** {@code struct ifreq}: 40 bytes, {@code char ifr_name[IFNAMSIZ=16]} at 0, {@code short ifr_flags} at 16. */
    static final long IFREQ_SIZE = 40;
    static final int IFNAMSIZ = 16;
    static final long IFREQ_FLAGS = 16;

    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    /** {@code struct pollfd}: int fd at 0, short events at 4, short revents at 6. */
    static final long POLLFD_SIZE = 8;

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SOL_UDP = 17;
    static final int SOL_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;
    /** asm-generic/socket.h, the same on x86-64 and arm64; needs CAP_NET_ADMIN. */
    static final int SO_MARK = 36;
    static final int UDP_SEGMENT = 103;
    static final int UDP_GRO = 104;
    static final int SHUT_RDWR = 2;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_WAITFORONE = 0x10000;
    /** errnos core's {@code Errno} does not name: the socket family is off, the tun module or name is taken. */
    static final int EAFNOSUPPORT = 97;
    static final int EBUSY = 16;
    static final int ENODEV = 19;

    /** {@code struct iovec}: void *base at 0, size_t len at 8. */
    static final long IOVEC_SIZE = 16;
    /**
     * {@code struct mmsghdr}: a {@code struct msghdr} (name 0, namelen u32 8, iov 16, iovlen 24, control 32,
     * controllen 40, flags int 48) then {@code unsigned msg_len} at 56; 64 bytes. A lone msghdr is 56.
     */
    static final long MMSGHDR_SIZE = 64;
    static final long MSGHDR_SIZE = 56;
    static final long MSG_NAME = 0;
    static final long MSG_NAMELEN = 8;
    static final long MSG_IOV = 16;
    static final long MSG_IOVLEN = 24;
    static final long MSG_CONTROL = 32;
    static final long MSG_CONTROLLEN = 40;
    static final long MSG_FLAGS = 48;
    static final long MSG_LEN = 56;
    /** {@code struct cmsghdr}: size_t len at 0, int level at 8, int type at 12, data at 16 (CMSG_ALIGN = 8). */
    static final long CMSG_HDR = 16;
    /** {@code CMSG_LEN(sizeof(uint16_t))}: UDP_SEGMENT's payload is a u16; UDP_GRO's is an int. */
    static final long CMSG_LEN_U16 = 18;
    /** {@code CMSG_SPACE(sizeof(int))} = {@code CMSG_SPACE(sizeof(uint16_t))} = 24. */
    static final long CMSG_SPACE_INT = 24;

    private Sys() {
    }

    /** Whether native paths may be tried here (Linux, a native linker, a known ABI). */
    static boolean nativeUsable() {
        return LinuxNative.available() && SUPPORTED_ARCH;
    }

    /** Turns a {@code Throwable} from {@code invokeExact} (never expected from a downcall) into an error. */
    static AssertionError linkError(Throwable t) {
        return new AssertionError("downcall failed", t);
    }
}
