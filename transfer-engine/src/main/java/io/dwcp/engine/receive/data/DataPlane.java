package io.dwcp.engine.receive.data;

import io.dwcp.core.Limits;
import io.dwcp.core.Log;
import io.dwcp.engine.runtime.EngineRuntime;
import io.dwcp.zerocopy.DataListener;
import io.dwcp.zerocopy.DataSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bulk-data listener. Sockets come from the runtime's I/O path (fds we own, so payloads can be spliced into
 * part files), each stream runs on a pinned data thread, and the socket's own idle timeout
 * ({@code SO_RCVTIMEO}) ends a stream that stays silent, so no watchdog thread is needed.
 */
public final class DataPlane implements AutoCloseable {
    private static final Log LOG = Log.of("data");

    private final DataListener server;
    private final DataSessions sessions;
    private final Limits limits;
    private final EngineRuntime runtime;
    private final Set<DataStreamReceiver> streams = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final int port;
    private volatile boolean closed;

    public DataPlane(InetSocketAddress bind, DataSessions sessions, Limits limits, EngineRuntime runtime)
            throws IOException {
        this.sessions = sessions;
        this.limits = limits;
        this.runtime = runtime;
        try {
            this.server = runtime.io().listen(bind, 256);
        } catch (IOException e) {
            throw new IOException("data_port=" + bind.getPort() + " reason=bind-failed detail=" + e.getMessage(), e);
        }
        this.port = server.localAddress().getPort();
        this.acceptor = Thread.ofPlatform().daemon().name("dwcp-data-accept").start(this::acceptLoop);
    }

    public int port() {
        return port;
    }

    Limits limits() {
        return limits;
    }

    EngineRuntime runtime() {
        return runtime;
    }

    void remove(DataStreamReceiver s) {
        streams.remove(s);
    }

    private void acceptLoop() {
        while (!closed) {
            DataSocket socket = null;
            try {
                socket = server.accept();
                socket.setTcpNoDelay(true);
                socket.setIdleTimeout(limits.idleTimeoutMillis());
                int maxStreams = limits.maxStreams() * limits.maxSessions();
                if (streams.size() >= maxStreams) {
                    LOG.warn("peer=" + socket.remoteAddress() + " refused reason=too-many-streams max=" + maxStreams);
                    socket.close();
                    continue;
                }
                DataStreamReceiver r = new DataStreamReceiver(socket, sessions, this);
                streams.add(r);
                runtime.dataThreads().newThread(r).start();
            } catch (IOException | RuntimeException e) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // refusing it anyway
                    }
                }
                if (!closed) {
                    LOG.warn("reason=accept-failed detail=\"" + e.getMessage() + "\"");
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (DataStreamReceiver s : streams) {
            s.close();
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
