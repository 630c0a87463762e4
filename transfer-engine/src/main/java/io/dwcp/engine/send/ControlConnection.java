package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.io.ControlFrames;
import io.dwcp.core.io.BlockingFrames;
import io.dwcp.core.message.ControlCodec;
import io.dwcp.core.message.Message;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sender's control connection: one reader thread, writers from any thread (each frame written whole), every
 * byte written counted in the transfer's wire bytes, every frame in either direction counted as activity.
 */
final class ControlConnection implements AutoCloseable {
    private final SocketChannel channel;
    private final Limits limits;
    private final AtomicLong wireBytes;
    private final Runnable onActivity;

    /**
     * FILE_ENDs gathered into one write: 256 (about 15 KiB) rather than 64 cut a 100,000-file tree's control writes,
     * each also the receiver's TCP work over loopback, from 1,600 to 400 (`--checksum` re-sync 1.88 -> 1.78 s, server
     * 1.25 -> 1.15 CPU-s; first copy 3.72 -> 3.57 s; alternating, medians of 5-8); 1,024 did no better.
     */
    private static final int DEFER_FRAMES = 256;
    private static final long DEFER_NANOS = 2_000_000;
    private final java.util.concurrent.atomic.AtomicInteger deferred = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long deferredSince;
    private final java.util.concurrent.ConcurrentLinkedQueue<ByteBuffer> outgoing = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean();
    /** The writing thread's gathering array; only the thread holding {@link #writing} touches it. */
    private final ByteBuffer[] gather = new ByteBuffer[DEFER_FRAMES];

    /** Bytes read from the socket and not yet decoded, between position and limit. */
    private final ByteBuffer in = ByteBuffer.allocate(READ_BUFFER).flip();
    private static final int READ_BUFFER = 64 * 1024;

    private ControlConnection(SocketChannel channel, Limits limits, AtomicLong wireBytes, Runnable onActivity) {
        this.channel = channel;
        this.limits = limits;
        this.wireBytes = wireBytes;
        this.onActivity = onActivity;
    }

    /** Connects, saying where when it cannot. */
    static ControlConnection open(InetAddress addr, int port, Limits limits, AtomicLong wireBytes,
                                  Runnable onActivity) throws IOException {
        SocketChannel ch = connect(addr, port, "control");
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new ControlConnection(ch, limits, wireBytes, onActivity);
    }

    static InetAddress resolve(String host) throws DwcpException {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new DwcpException(ErrorCode.IO, "host=\"" + host + "\" reason=unknown-host");
        }
    }

    /** Connects one socket, saying which one and where when it cannot (a closed data port is a firewall's doing). */
    private static SocketChannel connect(InetAddress addr, int port, String which) throws DwcpException {
        try {
            return SocketChannel.open(new InetSocketAddress(addr, port));
        } catch (IOException e) {
            String host = addr instanceof Inet6Address ? "[" + addr.getHostAddress() + "]" : addr.getHostAddress();
            throw new DwcpException(ErrorCode.IO, "connection=" + which + " server=" + host + ":" + port
                    + " reason=connect-failed detail=\"" + e.getMessage() + "\"");
        }
    }

    void send(Message m) throws IOException {
        sendEncoded(ControlCodec.encode(m));
    }

    /**
     * Queues a frame and writes what is queued. Streams end files from their own threads, one small FILE_END each:
     * the thread that finds no write in progress writes every queued frame in one gathering write, the others
     * leave theirs to it, so a tree of small files does not cost a syscall per file.
     */
    void sendEncoded(ByteBuffer frame) throws IOException {
        outgoing.add(frame);
        flush();
    }

    /**
     * Queues a message that may wait a little (a FILE_END): it goes with the next write, or once
     * {@link #DEFER_FRAMES} have gathered or the oldest has waited {@link #DEFER_NANOS}; streams call
     * {@link #flushIfDue} between blocks and {@link #flush} before they idle. One stream ending a small file per
     * block otherwise makes a write syscall per file.
     */
    void sendSoon(Message m) throws IOException {
        outgoing.add(ControlCodec.encode(m));
        if (deferred.getAndIncrement() == 0) {
            deferredSince = System.nanoTime();
        }
        if (deferred.get() >= DEFER_FRAMES) {
            flush();
        }
    }

    /** Writes deferred frames that have waited long enough. */
    void flushIfDue() throws IOException {
        if (deferred.get() > 0 && System.nanoTime() - deferredSince > DEFER_NANOS) {
            flush();
        }
    }

    /** Writes every queued frame now (whichever thread finds no write in progress does it). */
    void flush() throws IOException {
        deferred.set(0);
        while (!outgoing.isEmpty() && writing.compareAndSet(false, true)) {
            try {
                int n = 0;
                ByteBuffer b;
                while (n < gather.length && (b = outgoing.poll()) != null) {
                    gather[n++] = b;
                }
                long total = 0;
                for (int i = 0; i < n; i++) {
                    total += gather[i].remaining();
                }
                long done = 0;
                while (done < total) {
                    done += channel.write(gather, 0, n);
                }
                java.util.Arrays.fill(gather, 0, n, null);
                wireBytes.addAndGet(total);
            } finally {
                writing.set(false);
            }
        }
        onActivity.run();
    }

    /** The next message, an ERROR included (the caller decides what it means). Read by one thread at a time. */
    Message read() throws IOException {
        int prefix = FrameDescriptor.PREFIX_LENGTH;
        fill(prefix);
        FrameType type = ControlFrames.checkPrefix(in, in.position(), limits.maxControlBody(),
                ControlFrames.Carrier.CONTROL);
        int body = FrameDescriptor.bodyLength(in, in.position());
        in.position(in.position() + prefix);
        ByteBuffer b;
        if (body <= in.capacity()) {
            fill(body);
            b = in.slice(in.position(), body);
            in.position(in.position() + body);
        } else {
            // A frame larger than the buffer (a PLAN with many basis digests): its own buffer, sized by the
            // checked prefix.
            b = ByteBuffer.allocate(body);
            int have = Math.min(in.remaining(), body);
            b.put(b.position(), in, in.position(), have);
            b.position(have);
            in.position(in.position() + have);
            BlockingFrames.readFully(channel, b);
            b.flip();
        }
        Message m = ControlCodec.decode(type, b, limits);
        onActivity.run();
        return m;
    }

    /**
     * Makes at least {@code n} unread bytes available in {@link #in}, reading as much as the socket has: many
     * small frames (one FILE_DONE per file of a tree) cost one read, not two per frame.
     */
    private void fill(int n) throws IOException {
        if (in.remaining() >= n) {
            return;
        }
        in.compact();
        while (in.position() < n) {
            if (channel.read(in) < 0) {
                in.flip();
                throw new java.io.EOFException("reason=eof missing=" + (n - in.remaining()));
            }
        }
        in.flip();
    }

    /** Closes the socket: wakes the reader wherever it is blocked. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // done with it
        }
    }
}
