package io.dwcp.wireguard.linux;

import io.dwcp.core.linux.SocketCalls;
import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.FdHolder;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.wireguard.net.Endpoints;
import io.dwcp.wireguard.net.PacketBatch;
import io.dwcp.wireguard.net.UdpTransport;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A UDP socket driven by {@code recvmmsg}/{@code sendmmsg}, with UDP GSO ({@code UDP_SEGMENT} per message) and GRO
 * ({@code UDP_GRO}) when the kernel has them. The wildcard socket is IPv6 and dual stack; IPv4 peers appear as v4
 * endpoints. {@link #close()} shuts the socket down, which makes a blocked {@code recvmmsg} return on Linux.
 */
public final class LinuxUdp implements UdpTransport {
    private final FdHolder holder;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    /** One {@code msghdr} + {@code iovec} for sending a super-datagram piece by piece when GSO is off or refused. */
    private final MemorySegment splitMsg;
    private final MemorySegment splitIov;
    private final int port;
    private final boolean gro;
    private volatile boolean gso;
    private long sendFailures;

    private LinuxUdp(int fd, InetSocketAddress at, boolean offloads, int bufferBytes) throws IOException {
        this.fd = fd;
        this.holder = new FdHolder(fd, () -> SocketCalls.shutdown(fd, Sys.SHUT_RDWR), () -> {
            FdCalls.close(fd);
            arena.close();
        });
        splitMsg = arena.allocate(Sys.MSGHDR_SIZE, 8);
        splitIov = arena.allocate(Sys.IOVEC_SIZE, 8);
        splitMsg.set(ValueLayout.JAVA_LONG, Sys.MSG_IOV, splitIov.address());
        splitMsg.set(ValueLayout.JAVA_LONG, Sys.MSG_IOVLEN, 1L);
        try {
            MemorySegment scratch = arena.allocate(Endpoints.BYTES + 8, 8);
            MemorySegment value = scratch.asSlice(Endpoints.BYTES, 4);
            if (at.getAddress() instanceof Inet6Address) {
                // dual stack whatever the system default (net.ipv6.bindv6only): one socket serves v4 and v6 peers
                setInt(value, Sys.SOL_IPV6, Sys.IPV6_V6ONLY, 0, "setsockopt IPV6_V6ONLY");
            }
            raiseBuffer(value, Sys.SO_RCVBUFFORCE, Sys.SO_RCVBUF, bufferBytes);
            raiseBuffer(value, Sys.SO_SNDBUFFORCE, Sys.SO_SNDBUF, bufferBytes);
            int len = Endpoints.encode(at, scratch);
            int rc = SocketCalls.bind(fd, scratch, len);
            if (rc < 0) {
                throw new NativeIoException("bind", -rc, "fd=" + fd + " at=" + at);
            }
            value.set(ValueLayout.JAVA_INT, 0, Endpoints.BYTES);
            rc = SocketCalls.getsockname(fd, scratch, value);
            if (rc < 0) {
                throw new NativeIoException("getsockname", -rc, "fd=" + fd);
            }
            port = Endpoints.port(scratch);
            // setting the socket's default segment size to 0 changes nothing but fails where the kernel lacks GSO (< 4.18)
            gso = offloads && trySetInt(value, Sys.SOL_UDP, Sys.UDP_SEGMENT, 0);
            gro = offloads && trySetInt(value, Sys.SOL_UDP, Sys.UDP_GRO, 1);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Binds the dual-stack wildcard address, or the IPv4 one where IPv6 is off, on {@code port} (0: any).
     *
     * @param offloads   try UDP GSO and GRO (then receive batches need {@link PacketBatch#MAX_DATAGRAM}-byte slots)
     * @param bufferBytes socket buffer size to ask for; forced past {@code net.core.rmem_max} when privileged
     */
    public static LinuxUdp open(int port, boolean offloads, int bufferBytes) throws IOException {
        try {
            return bind(new InetSocketAddress(InetAddress.getByAddress(new byte[16]), port), offloads, bufferBytes);
        } catch (NativeIoException e) {
            if (e.errno() != Sys.EAFNOSUPPORT) {
                throw e;
            }
            return bind(new InetSocketAddress(InetAddress.getByAddress(new byte[4]), port), offloads, bufferBytes);
        }
    }

    /** Binds one address: a socket of that address's family (an IPv6 one still dual stack). */
    public static LinuxUdp bind(InetSocketAddress at, boolean offloads, int bufferBytes) throws IOException {
        if (!LinuxUdpCalls.linked() || !FdCalls.linked()) {
            throw new IOException("udp=unavailable reason=" + (Sys.nativeUsable() ? "libc-symbols-missing" : "not-linux"));
        }
        boolean v6 = at.getAddress() instanceof Inet6Address;
        int fd = LinuxUdpCalls.socket(v6 ? Sys.AF_INET6 : Sys.AF_INET);
        if (fd < 0) {
            throw new NativeIoException("socket", -fd, "family=" + (v6 ? "inet6" : "inet"));
        }
        try {
            return new LinuxUdp(fd, at, offloads, bufferBytes);
        } catch (IOException | RuntimeException e) {
            FdCalls.close(fd);
            throw e;
        }
    }

    private void setInt(MemorySegment value, int level, int name, int v, String op) throws NativeIoException {
        value.set(ValueLayout.JAVA_INT, 0, v);
        int rc = SocketCalls.setsockopt(fd, level, name, value, 4);
        if (rc < 0) {
            throw new NativeIoException(op, -rc, "fd=" + fd);
        }
    }

    private boolean trySetInt(MemorySegment value, int level, int name, int v) {
        value.set(ValueLayout.JAVA_INT, 0, v);
        return SocketCalls.setsockopt(fd, level, name, value, 4) == 0;
    }

    /** The FORCE option passes the sysctl cap but needs CAP_NET_ADMIN; without it the capped request still helps. */
    private void raiseBuffer(MemorySegment value, int force, int plain, int bytes) throws NativeIoException {
        if (!trySetInt(value, Sys.SOL_SOCKET, force, bytes)) {
            setInt(value, Sys.SOL_SOCKET, plain, bytes, "setsockopt SO_RCVBUF/SO_SNDBUF");
        }
    }

    @Override
    public int receive(PacketBatch batch) throws IOException {
        if (gro && batch.capacity() < PacketBatch.MAX_DATAGRAM) {
            throw new IllegalArgumentException(
                    "capacity=" + batch.capacity() + " reason=gro-needs-" + PacketBatch.MAX_DATAGRAM);
        }
        if (!holder.enter()) {
            return -1;
        }
        try {
            MmsgTable t = MmsgTable.of(batch);
            for (;;) {
                t.prepareReceive();
                int n = LinuxUdpCalls.recvmmsg(fd, t.address(0), batch.slots(), Sys.MSG_WAITFORONE);
                // after shutdown the kernel reports an empty datagram with no source: not one to hand on
                if (holder.isClosed()) {
                    return -1;
                }
                if (n > 0) {
                    t.collect(n);
                    return n;
                }
                if (n != -Errno.EINTR) {
                    throw new NativeIoException("recvmmsg", -n, "fd=" + fd);
                }
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public int send(PacketBatch batch, int count) throws IOException {
        if (count < 0 || count > batch.slots()) {
            throw new IllegalArgumentException("count=" + count + " slots=" + batch.slots());
        }
        if (!holder.enter()) {
            return -1;
        }
        try {
            boolean offload = gso;
            MmsgTable t = MmsgTable.of(batch);
            t.prepareSend(count, offload);
            int whole = 0;
            int i = 0;
            while (i < count) {
                if (!offload && batch.segments(i) > 1) {
                    whole += sendSplit(batch, i) ? 1 : 0;
                    i++;
                    continue;
                }
                int end = i + 1;
                while (end < count && (offload || batch.segments(end) == 1)) {
                    end++;
                }
                int n = LinuxUdpCalls.sendmmsg(fd, t.address(i), end - i, 0);
                if (n > 0) {
                    whole += n;
                    i += n;
                    continue;
                }
                if (n == -Errno.EINTR) {
                    continue;
                }
                if (holder.isClosed()) {
                    return -1;
                }
                int errno = -n;
                if (errno == Errno.EBADF || errno == Errno.ENOTSOCK || errno == Errno.EFAULT || errno == Errno.EPIPE) {
                    throw new NativeIoException("sendmmsg", errno, "fd=" + fd);
                }
                if (batch.segments(i) > 1) {
                    if (errno == Errno.EIO) {
                        // the route cannot checksum-offload (e.g. through xfrm): GSO will keep failing, stop asking
                        gso = false;
                        offload = false;
                    }
                    whole += sendSplit(batch, i) ? 1 : 0;
                } else {
                    sendFailures++;
                }
                i++;
            }
            return whole;
        } finally {
            holder.exit();
        }
    }

    /** Sends slot {@code i}'s datagrams one by one, straight from the slot (no copy). */
    private boolean sendSplit(PacketBatch batch, int i) {
        MemorySegment ep = batch.endpoint(i);
        splitMsg.set(ValueLayout.JAVA_LONG, Sys.MSG_NAME, ep.address());
        splitMsg.set(ValueLayout.JAVA_INT, Sys.MSG_NAMELEN, Endpoints.length(ep));
        long base = batch.buffer(i).address();
        int len = batch.length(i);
        int seg = batch.segmentSize(i);
        boolean ok = true;
        for (int off = 0; off < len; off += seg) {
            splitIov.set(ValueLayout.JAVA_LONG, 0, base + off);
            splitIov.set(ValueLayout.JAVA_LONG, 8, Math.min(seg, len - off));
            long rc;
            do {
                rc = SocketCalls.sendmsg(fd, splitMsg, 0);
            } while (rc == -Errno.EINTR);
            if (rc < 0) {
                sendFailures++;
                ok = false;
            }
        }
        return ok;
    }

    /** Waits up to {@code millis} for a datagram; for the start-up probe, whose datagram may be filtered away. */
    boolean awaitReadable(int millis) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment pfd = call.allocate(Sys.POLLFD_SIZE, 8);
            pfd.set(ValueLayout.JAVA_INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, Sys.POLLIN);
            return FdCalls.poll(pfd, 1, millis) > 0;
        }
    }

    @Override
    public int localPort() {
        return port;
    }

    @Override
    public boolean gso() {
        return gso;
    }

    @Override
    public boolean gro() {
        return gro;
    }

    @Override
    public void setMark(int mark) throws IOException {
        if (!holder.enter()) {
            throw new java.nio.channels.ClosedChannelException();
        }
        try (Arena call = Arena.ofConfined()) {
            setInt(call.allocate(4, 4), Sys.SOL_SOCKET, Sys.SO_MARK, mark, "setsockopt SO_MARK");
        } finally {
            holder.exit();
        }
    }

    @Override
    public long sendFailures() {
        return sendFailures;
    }

    @Override
    public void close() {
        holder.close();
    }
}
