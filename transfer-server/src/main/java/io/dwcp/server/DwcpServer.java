package io.dwcp.server;

import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.Log;
import io.dwcp.core.digest.Xxh3;
import io.dwcp.core.message.Message;
import io.dwcp.server.control.ControlFrameDecoder;
import io.dwcp.server.control.ControlHandler;
import io.dwcp.server.control.ServerContext;
import io.dwcp.engine.receive.data.DataPlane;
import io.dwcp.engine.receive.SessionOutcome;
import io.dwcp.engine.receive.SessionRegistry;
import io.dwcp.engine.receive.TransferSession;
import io.dwcp.engine.storage.PartSweeper;
import io.dwcp.engine.storage.ReceivingPaths;
import io.dwcp.engine.runtime.EngineRuntime;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.engine.storage.SpaceLedger;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import io.dwcp.engine.receive.data.DataSession;
import io.dwcp.engine.receive.data.DataSessions;
import java.net.InetSocketAddress;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** The transfer server: Netty control plane, blocking data plane, sessions, storage below one root. */
public final class DwcpServer implements ServerContext, AutoCloseable {
    private static final Log LOG = Log.of("server");
    /** How long a stopping server waits for each transfer in flight to wind down. */
    private static final long STOP_WAIT_MILLIS = 3000;
    /** Bound on the digest warm-up (about 0.2 CPU-s when the loop compiles, as it does here). */
    private static final long WARMUP_MAX_MILLIS = 5000;

    private final ServerConfig config;
    private final EngineRuntime runtime;
    private final StorageRoot root;
    private final SessionRegistry sessions;
    private final ReceivingPaths receiving = new ReceivingPaths();
    private final SpaceLedger space;
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger sessionCounter = new AtomicInteger();
    private final CompletableFuture<SessionOutcome> firstOutcome = new CompletableFuture<>();
    private final ControlTransport transport;
    private EventLoopGroup group;
    private Channel controlChannel;
    private DataPlane dataPlane;
    /** Removes part files nobody resumed; null when {@code partMaxAge} is zero. */
    private PartSweeper sweeper;

    /** Per-peer identities (serve --tunnel), or null: one root for everyone. */
    private final PeerIdentities identities;
    /** The identity each live session was opened by (serve --tunnel): its data streams must come from the same peer. */
    private final java.util.concurrent.ConcurrentHashMap<DataSession, String> sessionPeers =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** The roots of the identities seen so far, opened on first use; closed with the server. */
    private final java.util.concurrent.ConcurrentHashMap<String, StorageRoot> peerRoots =
            new java.util.concurrent.ConcurrentHashMap<>();

    private DwcpServer(ServerConfig config, EngineRuntime runtime, PeerIdentities identities) throws IOException {
        this.config = config;
        this.identities = identities;
        this.runtime = runtime;
        this.root = StorageRoot.open(runtime.io(), config.root(), config.limits().maxPathBytes());
        FileStore store = Files.getFileStore(config.root());
        this.space = new SpaceLedger(store::getUsableSpace);
        this.sessions = new SessionRegistry(config.oneShot() ? 1 : config.limits().maxSessions());
        this.transport = ControlTransport.choose();
    }

    /** Validates the configuration, binds both planes and logs what was chosen. */
    public static DwcpServer start(ServerConfig config) throws IOException {
        return start(config, null);
    }

    /**
     * As {@link #start(ServerConfig)}, with connections identified by {@code identities} (a tunnel's peers): each
     * identity's transfers land in its own directory below the root, unknown sources are refused, and a listen
     * address off loopback needs no token (the tunnel authenticates and encrypts).
     */
    public static DwcpServer start(ServerConfig config, PeerIdentities identities) throws IOException {
        boolean loopback = config.control().getAddress().isLoopbackAddress() || identities != null;
        if (!loopback && !config.plainRemote()) {
            throw new IllegalArgumentException("listen=" + config.control() + " reason=non-loopback-needs-explicit-plain-tcp"
                    + " hint=\"pass --plain-tcp with --token-file, or listen on 127.0.0.1\"");
        }
        if (!loopback && config.token() == null) {
            throw new IllegalArgumentException("listen=" + config.control() + " reason=plain-tcp-needs-token"
                    + " hint=\"pass --token-file FILE\"");
        }
        EngineRuntime runtime;
        try {
            runtime = EngineRuntime.start(config.io(), config.numa());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("reason=interrupted while starting the data plane");
        }
        DwcpServer s;
        try {
            s = new DwcpServer(config, runtime, identities);
        } catch (IOException | RuntimeException e) {
            runtime.close();
            throw e;
        }
        try {
            s.bind();
            s.startSweeper();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void bind() throws IOException {
        InetSocketAddress c = config.control();
        dataPlane = new DataPlane(new InetSocketAddress(c.getAddress(), config.dataPort()), dataSessions(), config.limits(),
                runtime);
        group = new MultiThreadIoEventLoopGroup(1, transport.factory());
        int idleSeconds = Math.max(1, config.limits().idleTimeoutMillis() / 1000);
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.channel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(
                                new IdleStateHandler(idleSeconds, 0, 0, TimeUnit.SECONDS),
                                new ControlFrameDecoder(config.limits()),
                                new ControlHandler(DwcpServer.this));
                    }
                });
        try {
            controlChannel = b.bind(c).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("listen=" + c + " reason=interrupted");
        } catch (Exception e) {
            throw new IOException("listen=" + c + " reason=bind-failed detail=" + e.getMessage(), e);
        }
        LOG.info("listening control=" + controlAddress() + " data_port=" + dataPlane.port() + " root=" + config.root()
                + " transport=" + transport.name() + " (" + transport.why() + ")"
                + " " + runtime.describe() + " " + root.describe() + " auth=" + (identities != null ? identities.describe() : config.token() == null ? "none(loopback)" : "token")
                + (config.oneShot() ? " mode=one-shot" : ""));

    }

    /** Sweeps part files nobody resumed, on a thread of its own: the first sweep runs while the server listens. */
    private void startSweeper() {
        if (!config.partMaxAge().isZero()) {
            sweeper = new PartSweeper(root, receiving, config.partMaxAge());
            sweeper.start();
        }
    }

    public InetSocketAddress controlAddress() {
        return (InetSocketAddress) controlChannel.localAddress();
    }

    public String transportName() {
        return transport.name();
    }

    public ServerConfig config() {
        return config;
    }

    @Override
    public byte[] token() {
        return config.token();
    }

    @Override
    public Limits limits() {
        return config.limits();
    }

    @Override
    public int dataPort() {
        return dataPlane.port();
    }

    @Override
    public TransferSession newSession(int streams, Consumer<Message> out) {
        return newSession(streams, out, root);
    }

    @Override
    public String refusal(InetSocketAddress remote) {
        if (identities == null) {
            return null;
        }
        return identities.identify(remote).isPresent() ? null : "reason=unknown-peer source=" + remote.getAddress().getHostAddress();
    }

    @Override
    public TransferSession newSession(int streams, Consumer<Message> out, InetSocketAddress remote) {
        if (identities == null) {
            return newSession(streams, out, root);
        }
        String name = identities.identify(remote).orElse(null);
        if (name == null) {
            return null;
        }
        StorageRoot peerRoot;
        try {
            peerRoot = peerRoot(name);
        } catch (IOException e) {
            LOG.warn("peer=" + name + " root=unavailable reason=" + e.getMessage());
            return null;
        }
        TransferSession s = newSession(streams, out, peerRoot);
        if (s != null) {
            sessionPeers.put(s, name);
        }
        return s;
    }

    /** Data streams find their session by id; with identities, only from the session's own peer. */
    private DataSessions dataSessions() {
        if (identities == null) {
            return sessions;
        }
        return new DataSessions() {
            @Override
            public DataSession find(byte[] sessionId) {
                return null; // with identities every stream is checked against its source
            }

            @Override
            public DataSession find(byte[] sessionId, InetSocketAddress remote) {
                DataSession s = sessions.find(sessionId);
                String peer = s == null ? null : sessionPeers.get(s);
                if (peer == null || !identities.identify(remote).map(peer::equals).orElse(false)) {
                    LOG.warn("data stream from=" + remote + " refused reason=not-the-session-peer");
                    return null;
                }
                return s;
            }
        };
    }

    /** The root of one identity: ROOT/NAME, created on first use. */
    private StorageRoot peerRoot(String name) throws IOException {
        StorageRoot r = peerRoots.get(name);
        if (r != null) {
            return r;
        }
        synchronized (peerRoots) {
            r = peerRoots.get(name);
            if (r == null) {
                java.nio.file.Path dir = config.root().resolve(name);
                Files.createDirectories(dir);
                r = StorageRoot.open(runtime.io(), dir, config.limits().maxPathBytes());
                peerRoots.put(name, r);
                LOG.info("peer=" + name + " root=" + dir);
            }
            return r;
        }
    }

    private TransferSession newSession(int streams, Consumer<Message> out, StorageRoot sessionRoot) {
        if (config.oneShot() && sessionCounter.get() > 0) {
            return null;
        }
        byte[] id = new byte[Message.SESSION_ID_LENGTH];
        random.nextBytes(id);
        String name = Integer.toString(sessionCounter.incrementAndGet());
        TransferSession s = new TransferSession(id, name, sessionRoot, receiving, space, config.limits(), streams, out,
                this::ended);
        return sessions.add(s) ? s : null;
    }

    private void ended(TransferSession s) {
        sessions.remove(s);
        sessionPeers.remove(s);
        firstOutcome.complete(s.outcome());
    }

    /** The outcome of the first session to end; the one-shot receiver waits on it. */
    public CompletableFuture<SessionOutcome> firstOutcome() {
        return firstOutcome;
    }

    /**
     * For a long-lived server: compiles the vector digest loop now, on a background thread, instead of switching
     * to it in the middle of some transfer (where the uncompiled Vector API allocates on every operation).
     */
    public void warmUpDigests() {
        Thread.ofPlatform().daemon().name("dwcp-warmup").start(() -> {
            boolean warm = Xxh3.warmUpVectorPath(WARMUP_MAX_MILLIS);
            LOG.info("digest=xxh3-128 loop=" + (warm ? "vector" : "scalar-first") + " simd "
                    + io.dwcp.simd.DeltaKernels.choice());
        });
    }

    /** Blocks until the server is closed. */
    public void awaitClose() throws InterruptedException {
        controlChannel.closeFuture().sync();
    }

    /**
     * Stops serving. Transfers still running are told why ({@code reason=server-stopping}) and their part files
     * are removed before the sockets close; what already reached its final name stays.
     */
    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.close(); // before the root it walks is closed
        }
        for (TransferSession s : sessions.all()) {
            s.abort(ErrorCode.IO, "reason=server-stopping");
        }
        // Each session's own thread tells its peer and removes its part files: wait for that before the sockets go.
        for (TransferSession s : sessions.all()) {
            try {
                s.awaitEnded(STOP_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (controlChannel != null) {
            controlChannel.close().awaitUninterruptibly();
        }
        if (dataPlane != null) {
            try {
                dataPlane.close();
            } catch (IOException ignored) {
                // shutting down
            }
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        try {
            root.close();
            for (StorageRoot r : peerRoots.values()) {
                r.close();
            }
        } catch (IOException ignored) {
            // shutting down
        }
        runtime.close();
    }
}
