package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.linux.NativeDataSocket;
import io.dwcp.zerocopy.linux.NativeFile;
import io.dwcp.zerocopy.linux.NativeSockets;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the engine sees when the peer, the source file or the destination disk fails mid-transfer. */
class ErrorPathTest {
    private Path dir;

    @BeforeEach
    void scratch() throws IOException {
        assumeTrue(IoPaths.select(IoMode.AUTO).nativeSockets(), "no native sockets here");
        dir = TestFiles.scratchDir("dwcp-zc-err");
    }

    @AfterEach
    void cleanUp() throws IOException {
        TestFiles.deleteTree(dir);
    }

    private static Loopback nativePair(boolean sendfile, boolean splice) throws IOException {
        NativeSockets n = new NativeSockets(sendfile, splice);
        try (DataListener l = n.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1)) {
            DataSocket c = n.connect(l.localAddress(), 5000);
            return new Loopback(c, l.accept());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void peerResetMidSendfileIsConnectionLost(boolean linger0) throws Exception {
        Path big = dir.resolve("big");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(512L << 20);
        }
        try (Loopback l = nativePair(true, true); NativeFile src = NativeFile.open(big, false, false);
                Arena arena = Arena.ofShared()) {
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    l.client().transferFromFile(src, 0, 512L << 20);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            l.server().readFully(arena.allocate(1 << 20), 0, 1 << 20);
            if (linger0) {
                ((NativeDataSocket) l.server()).setLinger(0);
            }
            // closing with unread bytes queued resets the connection even without SO_LINGER 0
            l.server().close();
            Throwable cause = assertThrows(Exception.class, () -> sending.get(20, TimeUnit.SECONDS)).getCause().getCause();
            NativeIoException e = assertInstanceOfNative(cause);
            assertTrue(e.isConnectionLost(), e.getMessage());
            assertEquals("sendfile", e.op());
        }
    }

    private static NativeIoException assertInstanceOfNative(Throwable t) {
        assertTrue(t instanceof NativeIoException, String.valueOf(t));
        return (NativeIoException) t;
    }

    @Test
    void writingToAClosedPeerIsBrokenPipe() throws Exception {
        try (Loopback l = nativePair(true, true); Arena arena = Arena.ofConfined()) {
            l.server().close();
            MemorySegment b = arena.allocate(1 << 16);
            NativeIoException e = assertThrows(NativeIoException.class, () -> {
                for (int i = 0; i < 1000; i++) {
                    l.client().writeFully(b, 0, b.byteSize());
                }
            });
            assertTrue(e.isConnectionLost(), e.getMessage());
            assertTrue(e.getMessage().startsWith("op=send errno="), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"AUTO", "PORTABLE"})
    void aSourceThatShrankIsACleanError(String mode) throws Exception {
        Path small = dir.resolve("small");
        Files.write(small, new byte[10_000]);
        IoPaths p = IoPaths.select(IoMode.valueOf(mode));
        try (Loopback l = Loopback.open(p); DataFile src = p.openRead(small); Arena arena = Arena.ofShared()) {
            CompletableFuture<Void> draining = CompletableFuture.runAsync(() -> {
                try {
                    l.server().readFully(arena.allocate(10_000), 0, 10_000);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            FileShrunkException e = assertThrows(FileShrunkException.class, () -> l.client().transferFromFile(src, 0, 20_000));
            assertEquals(10_000, e.offset());
            draining.get(5, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void eofInsideASplicedPayloadIsTruncationWithTheBytesWritten(boolean splice) throws Exception {
        byte[] sent = new byte[70_000];
        new java.util.Random(3).nextBytes(sent);
        try (Loopback l = nativePair(true, splice); NativeFile dst = NativeFile.open(dir.resolve("dst"), true, true);
                Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(sent.length);
            b.copyFrom(MemorySegment.ofArray(sent));
            l.client().writeFully(b, 0, sent.length);
            l.client().close();
            TruncatedPayloadException e = assertThrows(TruncatedPayloadException.class,
                    () -> l.server().receiveToFile(dst, 5L << 30, 100_000));
            assertEquals(70_000, e.received());
            assertArrayEquals(sent, TestFiles.read(dir.resolve("dst"), 5L << 30, 70_000));
        }
    }

    @Test
    void aFullDestinationIsEnospcOnEveryWritePath() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        Path mnt = Files.createDirectory(dir.resolve("small-tmpfs"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString())
                .inheritIO().start();
        assumeTrue(mount.waitFor() == 0, "mount -t tmpfs refused here");
        try {
            for (boolean splice : new boolean[] {true, false}) {
                try (Loopback l = nativePair(true, splice);
                        NativeFile dst = NativeFile.open(mnt.resolve("f" + splice), true, true);
                        Arena arena = Arena.ofShared()) {
                    MemorySegment b = arena.allocate(4 << 20);
                    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                        try {
                            l.client().writeFully(b, 0, b.byteSize());
                        } catch (IOException ignored) {
                            // the receiver gives up and closes
                        }
                    });
                    NativeIoException e = assertThrows(NativeIoException.class,
                            () -> l.server().receiveToFile(dst, 0, 4 << 20));
                    assertEquals(Errno.ENOSPC, e.errno(), e.getMessage());
                    l.server().close();
                    sending.get(10, TimeUnit.SECONDS);
                }
            }
            try (NativeFile f = NativeFile.open(mnt.resolve("reserved"), true, true)) {
                NativeIoException e = assertThrows(NativeIoException.class, () -> f.reserve(0, 8 << 20, false));
                assertTrue(e.getMessage().startsWith("op=fallocate errno=ENOSPC fd="), e.getMessage());
            }
        } finally {
            new ProcessBuilder("umount", mnt.toString()).inheritIO().start().waitFor();
        }
    }
}
