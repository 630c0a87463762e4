package io.dwcp.engine.receive.data;

import io.dwcp.core.Limits;
import io.dwcp.core.Log;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bulk-data listener: blocking sockets, one thread per stream. A watchdog closes streams that stay
 * silent past the idle timeout (blocking channel reads have no timeout of their own).
 */
public final class DataPlane implements AutoCloseable {
    private static final Log LOG = Log.of("data");

    private final ServerSocketChannel server;
    private final DataSessions sessions;
    private final Limits limits;
    private final Set<DataStreamReceiver> streams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counter = new AtomicInteger();
    private final Thread acceptor;
    private final Thread watchdog;
    private volatile boolean closed;

    public DataPlane(InetSocketAddress bind, DataSessions sessions, Limits limits) throws IOException {
        this.sessions = sessions;
        this.limits = limits;
        this.server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        try {
            server.bind(bind, 256);
        } catch (IOException e) {
            server.close();
            throw new IOException("data_port=" + bind.getPort() + " reason=bind-failed detail=" + e.getMessage(), e);
        }
        this.acceptor = Thread.ofPlatform().daemon().name("dwcp-data-accept").start(this::acceptLoop);
        this.watchdog = Thread.ofPlatform().daemon().name("dwcp-data-watchdog").start(this::watch);
    }

    public int port() {
        return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
    }

    Limits limits() {
        return limits;
    }

    void remove(DataStreamReceiver s) {
        streams.remove(s);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                int maxStreams = limits.maxStreams() * limits.maxSessions();
                if (streams.size() >= maxStreams) {
                    LOG.warn("peer=" + ch.getRemoteAddress() + " refused reason=too-many-streams max=" + maxStreams);
                    ch.close();
                    continue;
                }
                DataStreamReceiver r = new DataStreamReceiver(ch, sessions, this);
                streams.add(r);
                Thread.ofPlatform().daemon().name("dwcp-data-" + counter.incrementAndGet()).start(r);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("reason=accept-failed detail=" + e.getMessage());
                }
            }
        }
    }

    private void watch() {
        long timeout = limits.idleTimeoutMillis() * 1_000_000L;
        while (!closed) {
            try {
                Thread.sleep(Math.min(1000, Math.max(10, limits.idleTimeoutMillis() / 4)));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (DataStreamReceiver s : streams) {
                if (now - s.lastActivityNanos() > timeout) {
                    LOG.warn("stream idle-timeout closing");
                    s.close();
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        watchdog.interrupt();
        for (DataStreamReceiver s : streams) {
            s.close();
        }
    }
}
