package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.SocketCalls;
import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.FdHolder;
import io.dwcp.zerocopy.ZeroCopyChannel;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;

/**
 * {@code MSG_ZEROCOPY} on one native socket: enabling SO_ZEROCOPY, the zero-copy send itself, and reading the
 * completions the kernel queues on the socket's error queue. Each completion is one
 * {@code struct sock_extended_err} in a control message:
 * <pre>
 * cmsghdr:           0 u64 cmsg_len   8 s32 level (SOL_IP / SOL_IPV6)   12 s32 type (IP_RECVERR / IPV6_RECVERR)
 * sock_extended_err: 16 u32 ee_errno  20 u8 ee_origin (5 = ZEROCOPY)  21 u8 ee_type  22 u8 ee_code (1 = COPIED)
 *                    23 u8 pad        24 u32 ee_info (first send id)   28 u32 ee_data (last send id)
 * </pre>
 * One user (the sending thread); every structure is allocated once.
 */
public final class ZeroCopyOps implements ZeroCopyChannel {
    private static final long CONTROL = 64;

    private final NativeDataSocket socket;
    private final FdHolder holder;
    private final int fd;
    private final MemorySegment msghdr;
    private final MemorySegment control;
    private final MemorySegment pollfd;

    /** Its structures come from the socket's arena and go with the socket. */
    public ZeroCopyOps(NativeDataSocket socket) throws ClosedChannelException {
        this.socket = socket;
        this.holder = socket.holder();
        this.fd = socket.fd();
        enter(); // the socket's arena is closed once the socket is released
        try {
            Arena arena = socket.arena();
            msghdr = arena.allocate(56, 8);
            control = arena.allocate(CONTROL, 8);
            pollfd = arena.allocate(8, 4);
            msghdr.set(ValueLayout.ADDRESS, 32, control);
        } finally {
            holder.exit();
        }
    }

    /** Sets SO_ZEROCOPY; false when the kernel or a filter refuses it. */
    public boolean enable() throws IOException {
        try {
            socket.control().setInt(Sys.SOL_SOCKET, Sys.SO_ZEROCOPY, 1, "setsockopt-zerocopy");
            return true;
        } catch (NativeIoException e) {
            return false;
        }
    }

    /**
     * One {@code send(MSG_ZEROCOPY)}: the bytes the kernel took (each call that takes any consumes one send id),
     * or -1 when it could not pin more pages now (ENOBUFS: send those bytes by copy instead).
     */
    @Override
    public long send(java.lang.foreign.MemorySegment src, long off, long len) throws IOException {
        long at = NativeDataSocket.address(src, off, len);
        enter();
        try {
            for (;;) {
                long n = LinuxSockets.send(fd, at, len, Sys.MSG_ZEROCOPY | Sys.MSG_NOSIGNAL);
                if (n >= 0) {
                    return n;
                }
                if (n == -Errno.ENOBUFS) {
                    return -1;
                }
                if (n != -Errno.EINTR) {
                    throw socket.failure("send-zerocopy", (int) -n);
                }
            }
        } finally {
            holder.exit();
        }
    }

    /** Reads every queued completion without blocking; returns how many notifications there were. */
    @Override
    public int reap(CompletionSink sink) throws IOException {
        int count = 0;
        enter();
        try {
            for (;;) {
                msghdr.set(ValueLayout.JAVA_LONG, 40, CONTROL);
                long n = SocketCalls.recvmsg(fd, msghdr, Sys.MSG_ERRQUEUE | Sys.MSG_DONTWAIT);
                if (n < 0) {
                    if (n == -Errno.EINTR) {
                        continue;
                    }
                    if (n == -Errno.EAGAIN) {
                        return count;
                    }
                    throw socket.failure("recvmsg-errqueue", (int) -n);
                }
                if (parse(sink)) {
                    count++;
                }
            }
        } finally {
            holder.exit();
        }
    }

    private boolean parse(CompletionSink sink) {
        long controlLen = msghdr.get(ValueLayout.JAVA_LONG, 40);
        if (controlLen < 32) {
            return false;
        }
        int level = control.get(ValueLayout.JAVA_INT, 8);
        int type = control.get(ValueLayout.JAVA_INT, 12);
        boolean recverr = (level == Sys.SOL_IP && type == Sys.IP_RECVERR)
                || (level == Sys.SOL_IPV6 && type == Sys.IPV6_RECVERR);
        if (!recverr || control.get(ValueLayout.JAVA_BYTE, 20) != Sys.SO_EE_ORIGIN_ZEROCOPY) {
            return false;
        }
        boolean copied = (control.get(ValueLayout.JAVA_BYTE, 22) & Sys.SO_EE_CODE_ZEROCOPY_COPIED) != 0;
        sink.completed(control.get(ValueLayout.JAVA_INT, 24), control.get(ValueLayout.JAVA_INT, 28), copied);
        return true;
    }

    /** Waits until the error queue has something (POLLERR) or the time passes; true when it has. */
    @Override
    public boolean await(int timeoutMillis) throws IOException {
        enter();
        try {
            pollfd.set(ValueLayout.JAVA_INT, 0, fd);
            pollfd.set(ValueLayout.JAVA_INT, 4, 0); // events 0: POLLERR is always reported
            for (;;) {
                int rc = FdCalls.poll(pollfd, 1, timeoutMillis);
                if (rc >= 0) {
                    return rc > 0 && (pollfd.get(ValueLayout.JAVA_SHORT, 6) & Sys.POLLERR) != 0;
                }
                if (rc != -Errno.EINTR) {
                    throw socket.failure("poll", -rc);
                }
            }
        } finally {
            holder.exit();
        }
    }

    private void enter() throws ClosedChannelException {
        if (!holder.enter()) {
            throw new ClosedChannelException();
        }
    }
}
