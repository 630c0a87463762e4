package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.SocketCalls;
import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.FdHolder;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.DataListener;
import io.dwcp.zerocopy.DataSocket;
import io.dwcp.zerocopy.IdleTimeoutException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;

/**
 * Opens native data-plane sockets: outgoing connections and listeners (IPv4 or IPv6, blocking). The flags
 * say whether the sockets may use {@code sendfile} and {@code splice}, as the capability probe decided.
 */
public final class NativeSockets {
    private final boolean sendfile;
    private final boolean splice;

    public NativeSockets(boolean sendfile, boolean splice) {
        this.sendfile = sendfile;
        this.splice = splice;
    }

    /** Connects; {@code timeoutMillis} bounds the handshake (0: the kernel's own limit). */
    public NativeDataSocket connect(InetSocketAddress to, int timeoutMillis) throws IOException {
        int fd = LinuxSockets.socket(SockAddr.family(to));
        if (fd < 0) {
            throw new NativeIoException("socket", -fd);
        }
        NativeDataSocket s = new NativeDataSocket(fd, sendfile, splice);
        try {
            if (timeoutMillis > 0) {
                // on Linux SO_SNDTIMEO bounds a blocking connect too (EINPROGRESS when it expires)
                s.control().setTimeout(Sys.SO_SNDTIMEO, timeoutMillis);
            }
            int rc;
            try (Arena call = Arena.ofConfined()) {
                MemorySegment sa = call.allocate(SockAddr.STORAGE, 8);
                int len = SockAddr.encode(to, sa);
                do {
                    rc = LinuxSockets.connect(fd, sa, len);
                } while (rc == -Errno.EINTR);
            }
            if (rc == -Errno.EINPROGRESS || rc == -Errno.EAGAIN) {
                throw new IdleTimeoutException("connect", fd);
            }
            if (rc < 0) {
                throw new NativeIoException("connect", -rc, "fd=" + fd + " to=" + to);
            }
            if (timeoutMillis > 0) {
                s.control().setTimeout(Sys.SO_SNDTIMEO, 0);
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Binds (with SO_REUSEADDR, so a restarted server gets its port back) and listens. */
    public DataListener listen(InetSocketAddress at, int backlog) throws IOException {
        int fd = LinuxSockets.socket(SockAddr.family(at));
        if (fd < 0) {
            throw new NativeIoException("socket", -fd);
        }
        Listener l = new Listener(fd);
        try {
            l.control.setInt(Sys.SOL_SOCKET, Sys.SO_REUSEADDR, 1, "setsockopt-reuseaddr");
            int rc;
            try (Arena call = Arena.ofConfined()) {
                MemorySegment sa = call.allocate(SockAddr.STORAGE, 8);
                rc = SocketCalls.bind(fd, sa, SockAddr.encode(at, sa));
            }
            if (rc < 0) {
                throw new NativeIoException("bind", -rc, "fd=" + fd + " at=" + at);
            }
            rc = LinuxSockets.listen(fd, backlog);
            if (rc < 0) {
                throw new NativeIoException("listen", -rc, "fd=" + fd);
            }
            return l;
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
    }

    private final class Listener implements DataListener {
        private final FdHolder holder;
        /** The listener's option scratch, freed with its fd. */
        private final Arena arena = Arena.ofShared();
        private final SocketControl control;

        Listener(int fd) {
            // shutdown on a listening socket makes a blocked accept return EINVAL: the wake-up for close()
            holder = new FdHolder(fd, () -> SocketCalls.shutdown(fd, Sys.SHUT_RDWR), () -> {
                FdCalls.close(fd);
                arena.close();
            });
            control = new SocketControl(holder, arena);
        }

        @Override
        public DataSocket accept() throws IOException {
            if (!holder.enter()) {
                throw new ClosedChannelException();
            }
            try {
                for (;;) {
                    int fd = LinuxSockets.accept(holder.fd());
                    if (fd >= 0) {
                        return new NativeDataSocket(fd, sendfile, splice);
                    }
                    if (holder.isClosed()) {
                        throw new AsynchronousCloseException();
                    }
                    // a connection reset before we took it is the peer's problem, not the listener's
                    if (fd != -Errno.EINTR && fd != -Errno.ECONNABORTED) {
                        throw new NativeIoException("accept4", -fd, "fd=" + holder.fd());
                    }
                }
            } finally {
                holder.exit();
            }
        }

        @Override
        public InetSocketAddress localAddress() throws IOException {
            return control.address(false);
        }

        @Override
        public void close() {
            holder.close();
        }
    }
}
