package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.SocketCalls;
import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.FdHolder;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.DataSocket;
import io.dwcp.zerocopy.IdleTimeoutException;
import io.dwcp.zerocopy.TcpInfo;
import io.dwcp.zerocopy.TruncatedPayloadException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.Optional;

/**
 * A TCP socket whose fd we own: {@code recv}/{@code send}/{@code sendmsg} on off-heap memory, {@code sendfile}
 * for file ranges and {@code splice} for received payloads, each falling back to a copy through a bounce buffer
 * when the capability probe turned it off or the file has no fd. Every per-call structure (sendfile offset,
 * msghdr and iovecs, bounce buffers, the splice pipe) is allocated once per socket.
 */
public final class NativeDataSocket implements DataSocket {
    /** sendfile moves at most this per call anyway (MAX_RW_COUNT); asking for less keeps counts in an int. */
    static final long MAX_CHUNK = 0x7ffff000L;

    private final FdHolder holder;
    private final int fd;
    private final boolean sendfile;
    private final boolean splice;
    private final SocketControl control;
    private final SocketFileTransfer files;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment msghdr;
    private final MemorySegment iov;

    NativeDataSocket(int fd, boolean sendfile, boolean splice) {
        this.fd = fd;
        this.sendfile = sendfile;
        this.splice = splice;
        this.holder = new FdHolder(fd, () -> SocketCalls.shutdown(fd, Sys.SHUT_RDWR), this::release);
        this.control = new SocketControl(holder, arena);
        files = new SocketFileTransfer(this, fd, sendfile, splice, arena);
        msghdr = arena.allocate(56, 8);
        iov = arena.allocate(32, 8);
        // msghdr: 0 name, 8 namelen, 16 iov, 24 iovlen, 32 control, 40 controllen, 48 flags
        msghdr.set(ValueLayout.ADDRESS, 16, iov);
    }

    /** After the last call has left a closed socket: its fds, then every byte of native memory it owned. */
    private void release() {
        files.closePipe();
        FdCalls.close(fd);
        arena.close();
    }

    /**
     * Owns all of this socket's native memory (call structures, TCP_INFO, bounce buffers, the splice pipe's
     * state), freed when the socket is released, not whenever the collector gets to it. Segments from it are
     * touched only inside {@link FdHolder#enter()}/{@link FdHolder#exit()}, so none is in use at release.
     */
    Arena arena() {
        return arena;
    }

    FdHolder holder() {
        return holder;
    }

    SocketControl control() {
        return control;
    }

    static long address(MemorySegment s, long off, long len) {
        Objects.checkFromIndexSize(off, len, s.byteSize());
        if (!s.isNative()) {
            throw new IllegalArgumentException("reason=heap-segment native I/O needs off-heap memory");
        }
        return s.address() + off;
    }

    void enter() throws ClosedChannelException {
        if (!holder.enter()) {
            throw new ClosedChannelException();
        }
    }

    /** Maps an errno to the right exception: closed under us, idle timeout, or a real failure. */
    IOException failure(String op, int errno) {
        if (holder.isClosed()) {
            return new AsynchronousCloseException();
        }
        if (errno == Errno.EAGAIN) {
            return new IdleTimeoutException(op, fd);
        }
        return new NativeIoException(op, errno, "fd=" + fd);
    }

    @Override
    public int read(MemorySegment dst, long off, int len) throws IOException {
        long at = address(dst, off, len);
        if (len == 0) {
            return 0;
        }
        enter();
        try {
            for (;;) {
                long n = LinuxSockets.recv(fd, at, len, 0);
                if (n > 0) {
                    return (int) n;
                }
                if (n == 0) {
                    if (holder.isClosed()) {
                        throw new AsynchronousCloseException();
                    }
                    return -1;
                }
                if (n != -Errno.EINTR) {
                    throw failure("recv", (int) -n);
                }
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public void readFully(MemorySegment dst, long off, long len) throws IOException {
        long done = 0;
        while (done < len) {
            int n = read(dst, off + done, (int) Math.min(len - done, MAX_CHUNK));
            if (n < 0) {
                throw new TruncatedPayloadException("recv", len, done);
            }
            done += n;
        }
    }

    @Override
    public int write(MemorySegment src, long off, int len) throws IOException {
        return (int) send(src, off, len, Sys.MSG_NOSIGNAL);
    }

    long send(MemorySegment src, long off, long len, int flags) throws IOException {
        long at = address(src, off, len);
        if (len == 0) {
            return 0;
        }
        enter();
        try {
            for (;;) {
                long n = LinuxSockets.send(fd, at, len, flags);
                if (n >= 0) {
                    return n;
                }
                if (n != -Errno.EINTR) {
                    throw failure("send", (int) -n);
                }
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public void writeFully(MemorySegment src, long off, long len) throws IOException {
        sendFully(src, off, len, Sys.MSG_NOSIGNAL);
    }

    void sendFully(MemorySegment src, long off, long len, int flags) throws IOException {
        long done = 0;
        while (done < len) {
            done += send(src, off + done, Math.min(len - done, MAX_CHUNK), flags);
        }
    }

    @Override
    public void writeFully(MemorySegment header, long headerOff, int headerLen, MemorySegment payload,
            long payloadOff, int payloadLen) throws IOException {
        long h = address(header, headerOff, headerLen);
        long p = address(payload, payloadOff, payloadLen);
        long total = (long) headerLen + payloadLen;
        long done = 0;
        enter();
        try {
            while (done < total) {
                int parts = 0;
                if (done < headerLen) {
                    iov.set(ValueLayout.JAVA_LONG, 0, h + done);
                    iov.set(ValueLayout.JAVA_LONG, 8, headerLen - done);
                    parts = 1;
                }
                long pDone = Math.max(0, done - headerLen);
                iov.set(ValueLayout.JAVA_LONG, parts * 16L, p + pDone);
                iov.set(ValueLayout.JAVA_LONG, parts * 16L + 8, payloadLen - pDone);
                msghdr.set(ValueLayout.JAVA_LONG, 24, parts + 1);
                long n = SocketCalls.sendmsg(fd, msghdr, Sys.MSG_NOSIGNAL);
                if (n >= 0) {
                    done += n;
                } else if (n != -Errno.EINTR) {
                    throw failure("sendmsg", (int) -n);
                }
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public void transferFromFile(DataFile file, long fileOffset, long count) throws IOException {
        files.send(file, fileOffset, count);
    }

    @Override
    public void writeHeaderAndFile(MemorySegment header, int headerLen, DataFile file, long fileOffset, long count)
            throws IOException {
        // MSG_MORE holds the header back so it leaves in the same segment as the first file bytes
        sendFully(header, 0, headerLen, Sys.MSG_NOSIGNAL | (count > 0 ? Sys.MSG_MORE : 0));
        files.send(file, fileOffset, count);
    }

    @Override
    public void receiveToFile(DataFile file, long fileOffset, long count) throws IOException {
        files.receive(file, fileOffset, count);
    }

    @Override
    public void setIdleTimeout(int millis) throws IOException {
        if (millis < 0) {
            throw new IllegalArgumentException("idle_timeout_ms=" + millis);
        }
        control.setTimeout(Sys.SO_RCVTIMEO, millis);
        control.setTimeout(Sys.SO_SNDTIMEO, millis);
    }

    @Override
    public void setTcpNoDelay(boolean on) throws IOException {
        control.setInt(Sys.SOL_TCP, Sys.TCP_NODELAY, on ? 1 : 0, "setsockopt-nodelay");
    }

    @Override
    public void setSendBufferSize(int bytes) throws IOException {
        control.setInt(Sys.SOL_SOCKET, Sys.SO_SNDBUF, bytes, "setsockopt-sndbuf");
    }

    @Override
    public void setReceiveBufferSize(int bytes) throws IOException {
        control.setInt(Sys.SOL_SOCKET, Sys.SO_RCVBUF, bytes, "setsockopt-rcvbuf");
    }

    @Override
    public int sendBufferSize() throws IOException {
        return control.getInt(Sys.SOL_SOCKET, Sys.SO_SNDBUF, "getsockopt-sndbuf");
    }

    @Override
    public int receiveBufferSize() throws IOException {
        return control.getInt(Sys.SOL_SOCKET, Sys.SO_RCVBUF, "getsockopt-rcvbuf");
    }

    /** SO_LINGER with a timeout; 0 makes {@link #close()} reset the connection instead of a FIN. */
    public void setLinger(int seconds) throws IOException {
        control.setLinger(seconds);
    }

    @Override
    public Optional<TcpInfo> tcpInfo() throws IOException {
        return Optional.of(control.tcpInfo());
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return control.address(false);
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        return control.address(true);
    }

    @Override
    public void shutdownOutput() throws IOException {
        enter();
        try {
            int rc = SocketCalls.shutdown(fd, Sys.SHUT_WR);
            if (rc < 0) {
                throw new NativeIoException("shutdown", -rc, "fd=" + fd);
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public void close() {
        holder.close();
    }

    @Override
    public String toString() {
        return "native-socket fd=" + fd + " sendfile=" + sendfile + " splice=" + splice;
    }
}
