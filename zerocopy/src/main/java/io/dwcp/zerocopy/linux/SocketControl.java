package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.SocketCalls;
import io.dwcp.core.linux.FdHolder;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.TcpInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;

/**
 * Socket options, TCP_INFO and addresses for one socket: the cold-path calls, serialised on one preallocated
 * scratch area so they never race the data path's own buffers.
 *
 * <p>{@code struct tcp_info} offsets used (include/uapi/linux/tcp.h, checked with {@code offsetof}):
 * <pre>
 *   0 u8  tcpi_state          16 u32 tcpi_snd_mss       68 u32 tcpi_rtt (us)     72 u32 tcpi_rttvar (us)
 *  80 u32 tcpi_snd_cwnd      100 u32 tcpi_total_retrans 160 u64 tcpi_delivery_rate (bytes/s, kernel 4.9+)
 * </pre>
 * The kernel copies {@code min(optlen, its size)} and reports the length, so an old kernel without
 * {@code delivery_rate} is recognised by a short length.
 */
final class SocketControl {
    private static final long TCP_INFO_BUFFER = 256;
    private static final long TI_STATE = 0;
    private static final long TI_SND_MSS = 16;
    private static final long TI_RTT = 68;
    private static final long TI_RTTVAR = 72;
    private static final long TI_SND_CWND = 80;
    private static final long TI_TOTAL_RETRANS = 100;
    private static final long TI_DELIVERY_RATE = 160;

    private final FdHolder holder;
    private final int fd;
    private final MemorySegment scratch;
    private final MemorySegment len;

    SocketControl(FdHolder holder, Arena arena) {
        this.holder = holder;
        this.fd = holder.fd();
        scratch = arena.allocate(TCP_INFO_BUFFER, 8);
        len = arena.allocate(ValueLayout.JAVA_INT);
    }

    synchronized void setInt(int level, int name, int value, String op) throws IOException {
        enter();
        try {
            scratch.set(ValueLayout.JAVA_INT, 0, value);
            check(SocketCalls.setsockopt(fd, level, name, scratch, 4), op);
        } finally {
            holder.exit();
        }
    }

    synchronized int getInt(int level, int name, String op) throws IOException {
        enter();
        try {
            len.set(ValueLayout.JAVA_INT, 0, 4);
            check(SocketCalls.getsockopt(fd, level, name, scratch, len), op);
            return scratch.get(ValueLayout.JAVA_INT, 0);
        } finally {
            holder.exit();
        }
    }

    /** SO_RCVTIMEO or SO_SNDTIMEO as a {@code struct timeval} (two longs: seconds, microseconds). */
    synchronized void setTimeout(int name, int millis) throws IOException {
        enter();
        try {
            scratch.set(ValueLayout.JAVA_LONG, 0, millis / 1000);
            scratch.set(ValueLayout.JAVA_LONG, 8, (millis % 1000) * 1000L);
            check(SocketCalls.setsockopt(fd, Sys.SOL_SOCKET, name, scratch, 16), "setsockopt-timeout");
        } finally {
            holder.exit();
        }
    }

    /** SO_LINGER on with the given seconds; 0 makes close send RST (tests use it to simulate a crashed peer). */
    synchronized void setLinger(int seconds) throws IOException {
        enter();
        try {
            scratch.set(ValueLayout.JAVA_INT, 0, 1);
            scratch.set(ValueLayout.JAVA_INT, 4, seconds);
            check(SocketCalls.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_LINGER, scratch, 8), "setsockopt-linger");
        } finally {
            holder.exit();
        }
    }

    synchronized TcpInfo tcpInfo() throws IOException {
        enter();
        try {
            scratch.fill((byte) 0);
            len.set(ValueLayout.JAVA_INT, 0, (int) TCP_INFO_BUFFER);
            check(SocketCalls.getsockopt(fd, Sys.SOL_TCP, Sys.TCP_INFO, scratch, len), "getsockopt-tcp-info");
            int got = len.get(ValueLayout.JAVA_INT, 0);
            long rate = got >= TI_DELIVERY_RATE + 8 ? scratch.get(ValueLayout.JAVA_LONG, TI_DELIVERY_RATE) : -1;
            return new TcpInfo(Byte.toUnsignedInt(scratch.get(ValueLayout.JAVA_BYTE, TI_STATE)),
                    u32(TI_RTT), u32(TI_RTTVAR), u32(TI_SND_CWND), u32(TI_SND_MSS), u32(TI_TOTAL_RETRANS), rate);
        } finally {
            holder.exit();
        }
    }

    private long u32(long at) {
        return Integer.toUnsignedLong(scratch.get(ValueLayout.JAVA_INT, at));
    }

    synchronized InetSocketAddress address(boolean peer) throws IOException {
        enter();
        try {
            len.set(ValueLayout.JAVA_INT, 0, (int) SockAddr.STORAGE);
            MemorySegment sa = scratch.asSlice(0, SockAddr.STORAGE);
            int rc = peer ? SocketCalls.getpeername(fd, sa, len) : SocketCalls.getsockname(fd, sa, len);
            check(rc, peer ? "getpeername" : "getsockname");
            return SockAddr.decode(sa);
        } finally {
            holder.exit();
        }
    }

    private void check(int rc, String op) throws NativeIoException {
        if (rc < 0) {
            throw new NativeIoException(op, -rc, "fd=" + fd);
        }
    }

    private void enter() throws ClosedChannelException {
        if (!holder.enter()) {
            throw new ClosedChannelException();
        }
    }
}
