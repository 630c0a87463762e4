package io.dwcp.wireguard.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket server in a temporary directory, driven by a Java client. */
class UapiServerTest {
    @TempDir
    Path dir;

    static String exchange(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            ch.shutdownOutput();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            while (ch.read(buf) >= 0) {
                if (!buf.hasRemaining()) {
                    throw new IOException("reply too long");
                }
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void servesCreatesOwnerOnlySocketAndRemovesItOnClose() throws Exception {
        Path sub = dir.resolve("run");
        MemoryDevice device = new MemoryDevice();
        Path socket;
        try (UapiServer server = UapiServer.start(sub, "dwcp0", device)) {
            socket = server.socketPath();
            assertEquals(sub.resolve("dwcp0.sock"), socket);
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(sub)));
            assertEquals(List.of(socket), Files.list(sub).toList(), "no staging directory left behind");
            assertEquals("errno=0\n\nlisten_port=9\nerrno=0\n\n",
                    exchange(socket, "set=1\nlisten_port=9\n\nget=1\n\n"));
        }
        assertFalse(Files.exists(socket));
    }

    @Test
    void concurrentClients() throws Exception {
        MemoryDevice device = new MemoryDevice();
        try (UapiServer server = UapiServer.start(dir, "dwcp1", device);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                int port = 1000 + i;
                Callable<String> c = () -> exchange(server.socketPath(), "set=1\nlisten_port=" + port + "\n\n");
                replies.add(pool.submit(c));
            }
            for (Future<String> f : replies) {
                assertEquals("errno=0\n\n", f.get());
            }
            assertEquals(32, device.applied.size());
        }
    }

    @Test
    void staleSocketIsReplaced() throws Exception {
        Path socket = dir.resolve("dwcp2.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket), "the JDK leaves the file behind, like a crashed process");
        try (UapiServer server = UapiServer.start(dir, "dwcp2", new MemoryDevice())) {
            assertEquals("errno=0\n\n", exchange(server.socketPath(), "get=1\n\n"));
        }
    }

    @Test
    void liveSocketIsRefusedAndLeftAlone() throws Exception {
        try (UapiServer first = UapiServer.start(dir, "dwcp3", new MemoryDevice())) {
            IOException e = assertThrows(IOException.class, () -> UapiServer.start(dir, "dwcp3", new MemoryDevice()));
            assertTrue(e.getMessage().contains("error=another process is serving it"), e.getMessage());
            assertEquals("errno=0\n\n", exchange(first.socketPath(), "get=1\n\n"));
        }
    }

    @Test
    void regularFileInTheWayIsNotDeleted() throws Exception {
        Files.writeString(dir.resolve("dwcp4.sock"), "not a socket");
        assertThrows(IOException.class, () -> UapiServer.start(dir, "dwcp4", new MemoryDevice()));
        assertEquals("not a socket", Files.readString(dir.resolve("dwcp4.sock")));
    }

    @Test
    void closeEndsOpenConnections() throws Exception {
        UapiServer server = UapiServer.start(dir, "dwcp5", new MemoryDevice());
        try (SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(server.socketPath()))) {
            idle.write(ByteBuffer.wrap("get=1\n\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer reply = ByteBuffer.allocate(64);
            while (reply.position() < "errno=0\n\n".length()) {
                idle.read(reply);
            }
            server.close();
            // Without the close this read would block forever: the connection is idle between requests.
            int n = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> idle.read(ByteBuffer.allocate(16)));
            assertEquals(-1, n);
        }
    }

    @Test
    void invalidNamesAreRefused() {
        for (String name : List.of("", "a/b", "..", "sixteen-chars-xx", "wg 0")) {
            assertThrows(IllegalArgumentException.class, () -> UapiServer.start(dir, name, new MemoryDevice()), name);
        }
    }
}
