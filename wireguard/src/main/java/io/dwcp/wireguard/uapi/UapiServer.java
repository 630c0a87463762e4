package io.dwcp.wireguard.uapi;

import io.dwcp.core.Log;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;

/**
 * The UAPI socket {@code wg} talks to: a Unix stream socket at {@code /var/run/wireguard/NAME.sock}, created like
 * wireguard-go's UAPIOpen (directory 0755, socket owner-only 0700; a stale socket nobody listens on is replaced,
 * a live one is an error). Each connection is served on its own virtual thread. Calls into the
 * {@link UapiDevice} are serialised as that interface documents. {@link #close()} stops accepting, closes open
 * connections and deletes the socket file if it is still ours.
 */
public final class UapiServer implements AutoCloseable {
    /** Where {@code wg} looks for userspace interfaces. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/var/run/wireguard");
    // wg-quick's interface name rule; 15 is IFNAMSIZ - 1.
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_=+.-]{1,15}");
    private static final Log LOG = Log.of("uapi");

    private final String name;
    private final Path socket;
    private final Object socketKey;
    private final ServerSocketChannel server;
    private final UapiDevice device;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private UapiServer(String name, Path socket, ServerSocketChannel server, UapiDevice device) throws IOException {
        this.name = name;
        this.socket = socket;
        this.server = server;
        this.device = device;
        this.socketKey = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        this.acceptor = Thread.ofVirtual().name("uapi-accept-" + name).unstarted(this::acceptLoop);
    }

    /** Serves {@code device} at {@code /var/run/wireguard/NAME.sock}. */
    public static UapiServer start(String name, UapiDevice device) throws IOException {
        return start(DEFAULT_DIRECTORY, name, device);
    }

    /**
     * Serves {@code device} at {@code DIRECTORY/NAME.sock}.
     *
     * @throws IllegalArgumentException for a name wg-quick would refuse
     * @throws IOException when the socket cannot be created or another process is serving it
     */
    public static UapiServer start(Path directory, String name, UapiDevice device) throws IOException {
        Objects.requireNonNull(device, "device");
        if (!NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("uapi=" + SetParser.printable(name)
                    + " error=interface name must be 1-15 of [a-zA-Z0-9_=+.-]");
        }
        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Path socket = directory.resolve(name + ".sock");
        removeIfStale(name, socket);
        ServerSocketChannel server = bindPrivately(directory, name, socket);
        try {
            UapiServer s = new UapiServer(name, socket, server, device);
            s.acceptor.start();
            LOG.info("uapi=" + name + " socket=" + socket + " listening");
            return s;
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(socket);
            throw e;
        }
    }

    /** Where this server listens. */
    public Path socketPath() {
        return socket;
    }

    private static void removeIfStale(String name, Path socket) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attrs.isOther()) {
            throw new FileAlreadyExistsException(socket.toString(), null,
                    "uapi=" + name + " error=path exists and is not a socket");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            throw new IOException("uapi=" + name + " socket=" + socket + " error=another process is serving it");
        } catch (ConnectException e) {
            LOG.info("uapi=" + name + " socket=" + socket + " removing stale socket");
            Files.deleteIfExists(socket);
        }
    }

    // Java cannot set the umask, so the socket is bound inside a private directory, made owner-only, and only
    // then renamed into place: no other user can ever connect to it with looser permissions.
    private static ServerSocketChannel bindPrivately(Path directory, String name, Path socket) throws IOException {
        Path staging = Files.createTempDirectory(directory, "." + name + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path temp = staging.resolve("s");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(temp));
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx------"));
            Files.move(temp, socket, StandardCopyOption.ATOMIC_MOVE);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(temp);
            throw e;
        } finally {
            Files.deleteIfExists(staging);
        }
    }

    private void acceptLoop() {
        UapiConnection handler = new UapiConnection(device, lock, name);
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.error("uapi=" + name + " error=accept failed: " + e.getMessage());
                return;
            }
            connections.add(ch);
            if (closed) {
                closeQuietly(ch);
                return;
            }
            Thread.ofVirtual().name("uapi-" + name).start(() -> serve(handler, ch));
        }
    }

    private void serve(UapiConnection handler, SocketChannel ch) {
        try (ch) {
            handler.serve(Channels.newInputStream(ch), Channels.newOutputStream(ch));
        } catch (IOException e) {
            if (!closed) {
                LOG.warn("uapi=" + name + " error=connection failed: " + e.getMessage());
            }
        } finally {
            connections.remove(ch);
        }
    }

    /** Stops accepting, closes open connections and deletes the socket file unless it has been replaced. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
        for (SocketChannel ch : connections) {
            closeQuietly(ch);
        }
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Object key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Objects.equals(key, socketKey)) {
                Files.deleteIfExists(socket);
            }
        } catch (NoSuchFileException e) {
            // Someone removed it already; wireguard-go would have shut down on that, we just have nothing to do.
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Closing to stop a reader: a failure leaves nothing to clean up.
        }
    }
}
