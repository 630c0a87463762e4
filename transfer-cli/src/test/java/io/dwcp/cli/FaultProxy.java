package io.dwcp.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.core.frame.FrameDescriptor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy for fault injection. Client-to-server bytes can be parsed as DWCP frames (8-byte prefix, body length
 * at offset 4) and handed, whole, to a {@link FrameHook} that may change them before they are forwarded; the other
 * direction is copied as is. Half-closes are forwarded, so a graceful close on one side stays graceful.
 */
final class FaultProxy implements AutoCloseable {
    /** Sees (and may modify in place) every client-to-server frame, prefix included. */
    interface FrameHook {
        /** Return false to cut the connection abruptly instead of forwarding this frame. */
        boolean onFrame(byte[] frame);
    }

    /** Where the servers under test listen. */
    static final InetAddress LOOPBACK = address(new byte[] {127, 0, 0, 1});
    /** Where proxies listen: a second loopback address, so that a proxy can take a server's own port numbers. */
    static final InetAddress ALT = address(new byte[] {127, 0, 0, 2});

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final FrameHook hook;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    FaultProxy(InetAddress bind, int port, InetSocketAddress upstream, FrameHook hook) throws IOException {
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(bind, port), 64);
        this.upstream = upstream;
        this.hook = hook;
        this.acceptor = Thread.ofPlatform().daemon().name("proxy-accept-" + port).start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Skips the calling test, saying why {@code purpose} is out of reach, where this host cannot bind {@link #ALT}. */
    static void assumeAltBindable(String purpose) {
        String why = null;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(ALT, 0));
        } catch (IOException e) {
            why = e.toString();
        }
        assumeTrue(why == null, "cannot bind 127.0.0.2 on this host (" + why + "): " + purpose
                + " needs a second loopback address");
    }

    private static InetAddress address(byte[] ip) {
        try {
            return InetAddress.getByAddress(ip);
        } catch (java.net.UnknownHostException e) {
            throw new ExceptionInInitializerError(e); // four bytes are always an address
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket up = new Socket();
                up.connect(upstream, 5000);
                client.setTcpNoDelay(true);
                up.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(up);
                Pair pair = new Pair(client, up);
                Thread.ofPlatform().daemon().name("proxy-c2s").start(() -> pair.pump(client, up, hook));
                Thread.ofPlatform().daemon().name("proxy-s2c").start(() -> pair.pump(up, client, null));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("proxy: accept/connect failed: " + e);
                }
            }
        }
    }

    private final class Pair {
        private final Socket a;
        private final Socket b;
        private int finished;

        Pair(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }

        void pump(Socket from, Socket to, FrameHook h) {
            boolean graceful = false;
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                graceful = h == null ? copy(in, out) : frames(in, out, h);
            } catch (IOException ignored) {
                // reset or closed: tear down below
            }
            if (graceful) {
                try {
                    to.shutdownOutput();
                } catch (IOException ignored) {
                    // already gone
                }
            }
            synchronized (this) {
                finished++;
                if (!graceful || finished == 2) {
                    closeQuietly(a);
                    closeQuietly(b);
                }
            }
        }

        private boolean copy(InputStream in, OutputStream out) throws IOException {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            return true;
        }

        private boolean frames(InputStream raw, OutputStream rawOut, FrameHook h) throws IOException {
            BufferedInputStream buffered = new BufferedInputStream(raw, 256 * 1024);
            DataInputStream in = new DataInputStream(buffered);
            OutputStream out = new BufferedOutputStream(rawOut, 256 * 1024);
            byte[] prefix = new byte[FrameDescriptor.PREFIX_LENGTH];
            while (true) {
                int first = in.read();
                if (first < 0) {
                    out.flush();
                    return true;
                }
                prefix[0] = (byte) first;
                try {
                    in.readFully(prefix, 1, prefix.length - 1);
                } catch (EOFException e) {
                    out.write(prefix, 0, 1);
                    out.flush();
                    return true;
                }
                int len = java.nio.ByteBuffer.wrap(prefix).getInt(FrameDescriptor.LENGTH_OFFSET);
                if (len < 0 || len > 64 * 1024 * 1024) {
                    // Not something we can frame: pass the rest through untouched.
                    out.write(prefix);
                    out.flush();
                    return copy(in, rawOut);
                }
                byte[] frame = new byte[prefix.length + len];
                System.arraycopy(prefix, 0, frame, 0, prefix.length);
                in.readFully(frame, prefix.length, len);
                if (!h.onFrame(frame)) {
                    out.flush();
                    for (Socket s : new Socket[] {a, b}) {
                        try {
                            s.setSoLinger(true, 0);
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    }
                    return false;
                }
                out.write(frame);
                if (buffered.available() == 0) {
                    out.flush();
                }
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
