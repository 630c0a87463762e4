package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Sockets behave alike on both paths: wake-up on close, idle timeouts, gathered writes, options, IPv6. */
class SocketBehaviourTest {
    private static IoPaths paths(IoMode mode) {
        IoPaths p = IoPaths.select(mode);
        assumeTrue(mode == IoMode.PORTABLE || p.nativeSockets(), "no native sockets here");
        return p;
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void closeFromAnotherThreadWakesABlockedRead(IoMode mode) throws Exception {
        try (Loopback l = Loopback.open(paths(mode)); Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(64);
            CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return l.server().read(buf, 0, 64);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200);
            assertTrue(!reader.isDone(), "the read blocks while nothing arrives");
            l.server().close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> reader.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause().getCause() instanceof AsynchronousCloseException, e.toString());
            assertThrows(ClosedChannelException.class, () -> l.server().read(buf, 0, 64));
            l.server().close(); // idempotent
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void closeWakesABlockedAccept(IoMode mode) throws Exception {
        DataListener listener = paths(mode).listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        CompletableFuture<DataSocket> accepting = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(200);
        listener.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> accepting.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getCause() instanceof ClosedChannelException, e.toString());
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void anIdleReadTimesOut(IoMode mode) throws Exception {
        try (Loopback l = Loopback.open(paths(mode)); Arena arena = Arena.ofConfined()) {
            l.server().setIdleTimeout(200);
            long t0 = System.nanoTime();
            assertThrows(IdleTimeoutException.class, () -> l.server().read(arena.allocate(8), 0, 8));
            assertTrue(System.nanoTime() - t0 >= 150_000_000L, "waited for the timeout");
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void gatheredHeaderAndPayloadArriveInOrderAndEofInsideAPayloadIsTruncation(IoMode mode) throws Exception {
        try (Loopback l = Loopback.open(paths(mode)); Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(12);
            MemorySegment payload = arena.allocate(100_000);
            for (int i = 0; i < 100_000; i++) {
                payload.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
            }
            header.fill((byte) 7);
            l.client().writeFully(header, 2, 10, payload, 5, 99_000);
            l.client().shutdownOutput();
            MemorySegment got = arena.allocate(99_010);
            l.server().readFully(got, 0, 99_010);
            assertEquals(7, got.get(ValueLayout.JAVA_BYTE, 9));
            assertEquals(-1L, got.asSlice(10).mismatch(payload.asSlice(5, 99_000)));
            TruncatedPayloadException t = assertThrows(TruncatedPayloadException.class,
                    () -> l.server().readFully(got, 0, 10));
            assertEquals(0, t.received());
            assertEquals(-1, l.server().read(got, 0, 10));
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void optionsAndAddresses(IoMode mode) throws Exception {
        try (Loopback l = Loopback.open(paths(mode))) {
            DataSocket s = l.client();
            s.setTcpNoDelay(true);
            s.setSendBufferSize(1 << 20);
            s.setReceiveBufferSize(1 << 20);
            assertTrue(s.sendBufferSize() >= 1 << 20, "linux doubles what was set");
            assertTrue(s.receiveBufferSize() >= 1 << 20);
            assertEquals(l.server().localAddress(), s.remoteAddress());
            assertEquals(s.localAddress(), l.server().remoteAddress());
            if (mode != IoMode.PORTABLE) {
                TcpInfo info = s.tcpInfo().orElseThrow();
                assertEquals(1, info.state(), "TCP_ESTABLISHED");
                assertTrue(info.sendMss() > 0 && info.sendCongestionWindow() > 0, info.toString());
                assertTrue(info.deliveryRate() >= 0, "kernel 6.x reports delivery_rate");
                assertTrue(s.fd() >= 0);
            } else {
                assertTrue(s.tcpInfo().isEmpty());
                assertEquals(-1, s.fd());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void ipv6Loopback(IoMode mode) throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        IoPaths p = paths(mode);
        Loopback l;
        try {
            l = Loopback.open(p, v6);
        } catch (IOException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (l; Arena arena = Arena.ofConfined()) {
            assertTrue(l.client().remoteAddress().getAddress() instanceof Inet6Address);
            MemorySegment b = arena.allocate(4);
            b.set(ValueLayout.JAVA_INT, 0, 0x01020304);
            l.client().writeFully(b, 0, 4);
            MemorySegment r = arena.allocate(4);
            l.server().readFully(r, 0, 4);
            assertEquals(0x01020304, r.get(ValueLayout.JAVA_INT, 0));
        }
    }
}
