package io.dwcp.wireguard.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.core.linux.LinuxNative;
import io.dwcp.wireguard.net.Datagrams;
import io.dwcp.wireguard.net.Datagrams.Received;
import io.dwcp.wireguard.net.NioUdpTransport;
import io.dwcp.wireguard.net.PacketBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LinuxUdpTest {
    private static final int BUF = 1 << 20;
    private static InetAddress v4;

    @BeforeAll
    static void linuxOnly() throws Exception {
        assumeTrue(LinuxNative.available() && Sys.SUPPORTED_ARCH, "reason=native-udp-needs-linux-x86_64-or-arm64");
        v4 = InetAddress.getByName("127.0.0.1");
    }

    private static InetSocketAddress to(int port) {
        return new InetSocketAddress(v4, port);
    }

    @Test
    void probeChoosesNativeHere() {
        NetPaths paths = NetPaths.probe();
        assertTrue(paths.nativeUdp(), paths.describe());
        assertTrue(paths.describe().matches("udp=native gso=(on|off) gro=(on|off)"), paths.describe());
    }

    @Test
    void dualStackSocketsExchangeBatchesBothWays() throws Exception {
        try (LinuxUdp a = LinuxUdp.open(0, true, BUF);
                LinuxUdp b = LinuxUdp.open(0, true, BUF);
                PacketBatch out = new PacketBatch(8, 2048);
                PacketBatch in = new PacketBatch(8, PacketBatch.MAX_DATAGRAM)) {
            for (int i = 0; i < 8; i++) {
                Datagrams.put(out, i, Datagrams.payload(i, 1 + i * 190), 0, to(b.localPort()));
            }
            assertEquals(8, a.send(out, 8));
            List<Received> got = Datagrams.receive(b, in, 8);
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(Datagrams.payload(i, 1 + i * 190), got.get(i).data());
                // the v6 socket saw ::ffff:127.0.0.1 and must report the v4 endpoint
                assertEquals(to(a.localPort()), got.get(i).from());
                assertInstanceOf(Inet4Address.class, got.get(i).from().getAddress());
            }
            // replies go to the raw endpoints as received
            for (int i = 0; i < 3; i++) {
                out.setEndpoint(i, in.endpoint(0));
                out.setLength(i, 10 + i);
                out.setSegmentSize(i, 0);
            }
            assertEquals(3, b.send(out, 3));
            List<Received> back = Datagrams.receive(a, in, 3);
            for (int i = 0; i < 3; i++) {
                assertEquals(10 + i, back.get(i).data().length);
                assertEquals(to(b.localPort()), back.get(i).from());
            }
            assertEquals(0, a.sendFailures() + b.sendFailures());
        }
    }

    @Test
    void ipv6LoopbackWorksOnTheSameSocket() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        try (LinuxUdp a = LinuxUdp.open(0, true, BUF);
                LinuxUdp b = LinuxUdp.open(0, true, BUF);
                PacketBatch out = new PacketBatch(2, 2048);
                PacketBatch in = new PacketBatch(2, PacketBatch.MAX_DATAGRAM)) {
            Datagrams.put(out, 0, Datagrams.payload(1, 300), 0, new InetSocketAddress(v6, b.localPort()));
            int sent = a.send(out, 1);
            assumeTrue(sent == 1, "reason=no-ipv6-loopback");
            List<Received> got = Datagrams.receive(b, in, 1);
            assertEquals(new InetSocketAddress(v6, a.localPort()), got.get(0).from());
            assertArrayEquals(Datagrams.payload(1, 300), got.get(0).data());
        }
    }

    @Test
    void gsoSuperDatagramArrivesAsSeparateDatagramsAtTheFallback() throws Exception {
        try (LinuxUdp a = LinuxUdp.open(0, true, BUF);
                NioUdpTransport b = NioUdpTransport.open(to(0), BUF);
                PacketBatch out = new PacketBatch(2, PacketBatch.MAX_DATAGRAM);
                PacketBatch in = new PacketBatch(1, 2048)) {
            assumeTrue(a.gso(), "reason=kernel-without-udp-gso");
            byte[] whole = Datagrams.payload(3, 5 * 1200 + 77);
            Datagrams.put(out, 0, whole, 1200, to(b.localPort()));
            Datagrams.put(out, 1, Datagrams.payload(9, 64), 0, to(b.localPort()));
            assertEquals(2, a.send(out, 2));
            assertTrue(a.gso(), "loopback takes GSO: it must not have been switched off");
            List<Received> got = Datagrams.receive(b, in, 7);
            for (int k = 0; k < 6; k++) {
                int len = k < 5 ? 1200 : 77;
                assertArrayEquals(Arrays.copyOfRange(whole, k * 1200, k * 1200 + len), got.get(k).data());
                assertEquals(to(a.localPort()), got.get(k).from());
            }
            assertArrayEquals(Datagrams.payload(9, 64), got.get(6).data());
        }
    }

    @Test
    void withoutGsoSuperDatagramsAreSplitBeforeSending() throws Exception {
        try (LinuxUdp a = LinuxUdp.open(0, false, BUF);
                LinuxUdp b = LinuxUdp.open(0, false, BUF);
                PacketBatch out = new PacketBatch(3, 8192);
                PacketBatch in = new PacketBatch(8, 2048)) {
            assertTrue(!a.gso() && !a.gro());
            Datagrams.put(out, 0, Datagrams.payload(0, 10), 0, to(b.localPort()));
            byte[] whole = Datagrams.payload(1, 2500);
            Datagrams.put(out, 1, whole, 1000, to(b.localPort()));
            Datagrams.put(out, 2, Datagrams.payload(2, 20), 0, to(b.localPort()));
            assertEquals(3, a.send(out, 3));
            List<Received> got = Datagrams.receive(b, in, 5);
            assertArrayEquals(Datagrams.payload(0, 10), got.get(0).data());
            assertArrayEquals(Arrays.copyOfRange(whole, 0, 1000), got.get(1).data());
            assertArrayEquals(Arrays.copyOfRange(whole, 1000, 2000), got.get(2).data());
            assertArrayEquals(Arrays.copyOfRange(whole, 2000, 2500), got.get(3).data());
            assertArrayEquals(Datagrams.payload(2, 20), got.get(4).data());
        }
    }

    /** GRO may or may not coalesce on loopback: whatever it does, the datagrams and their order must come out intact. */
    @Test
    void groReceiveReportsSegmentsConsistently() throws Exception {
        try (LinuxUdp a = LinuxUdp.open(0, true, BUF);
                LinuxUdp b = LinuxUdp.open(0, true, BUF);
                PacketBatch out = new PacketBatch(16, PacketBatch.MAX_DATAGRAM);
                PacketBatch in = new PacketBatch(16, PacketBatch.MAX_DATAGRAM)) {
            assumeTrue(b.gro(), "reason=kernel-without-udp-gro");
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                byte[] p = Datagrams.payload(i, 1200);
                sent.add(p);
                Datagrams.put(out, i, p, 0, to(b.localPort()));
            }
            // and one super-datagram, which loopback delivers to a GRO socket still coalesced
            byte[] whole = Datagrams.payload(99, 4 * 1200 + 100);
            Datagrams.put(out, 12, whole, a.gso() ? 1200 : 0, to(b.localPort()));
            for (int k = 0; k < 5; k++) {
                sent.add(Arrays.copyOfRange(whole, k * 1200, Math.min(whole.length, (k + 1) * 1200)));
            }
            assumeTrue(a.gso(), "reason=kernel-without-udp-gso");
            assertEquals(13, a.send(out, 13));
            List<Received> got = new ArrayList<>();
            while (got.size() < sent.size()) {
                int n = b.receive(in);
                assertTrue(n > 0);
                for (int i = 0; i < n; i++) {
                    int seg = in.segmentSize(i);
                    assertTrue(seg == 0 || (seg < in.length(i) && in.segments(i) > 1),
                            "slot=" + i + " length=" + in.length(i) + " segment=" + seg);
                }
                got.addAll(Datagrams.split(in, n));
            }
            assertEquals(sent.size(), got.size());
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), got.get(i).data(), "datagram " + i);
                assertEquals(to(a.localPort()), got.get(i).from());
            }
        }
    }

    @Test
    void refusedDestinationIsCountedAndTheRestGoOut() throws Exception {
        try (LinuxUdp a = LinuxUdp.bind(to(0), false, BUF);
                LinuxUdp b = LinuxUdp.bind(to(0), false, BUF);
                PacketBatch out = new PacketBatch(3, 2048);
                PacketBatch in = new PacketBatch(3, 2048)) {
            Datagrams.put(out, 0, Datagrams.payload(0, 50), 0, to(b.localPort()));
            // an IPv4 socket cannot send to an IPv6 destination: EAFNOSUPPORT for this slot only
            Datagrams.put(out, 1, Datagrams.payload(1, 50), 0, new InetSocketAddress(InetAddress.getByName("::1"), 9));
            Datagrams.put(out, 2, Datagrams.payload(2, 50), 0, to(b.localPort()));
            assertEquals(2, a.send(out, 3));
            assertEquals(1, a.sendFailures());
            List<Received> got = Datagrams.receive(b, in, 2);
            assertArrayEquals(Datagrams.payload(0, 50), got.get(0).data());
            assertArrayEquals(Datagrams.payload(2, 50), got.get(1).data());
        }
    }

    @Test
    void fallbackAndNativeInteroperate() throws Exception {
        try (LinuxUdp n = LinuxUdp.open(0, true, BUF);
                NioUdpTransport f = NioUdpTransport.open(0, BUF);
                PacketBatch out = new PacketBatch(4, 2048);
                PacketBatch nin = new PacketBatch(4, PacketBatch.MAX_DATAGRAM);
                PacketBatch fin = new PacketBatch(4, 2048)) {
            for (int i = 0; i < 4; i++) {
                Datagrams.put(out, i, Datagrams.payload(i, 500 + i), 0, to(n.localPort()));
            }
            assertEquals(4, f.send(out, 4));
            List<Received> got = Datagrams.receive(n, nin, 4);
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(Datagrams.payload(i, 500 + i), got.get(i).data());
                assertEquals(to(f.localPort()), got.get(i).from());
            }
            out.setEndpoint(0, nin.endpoint(0));
            out.setLength(0, 33);
            assertEquals(1, n.send(out, 1));
            List<Received> back = Datagrams.receive(f, fin, 1);
            assertEquals(33, back.get(0).data().length);
            assertEquals(to(n.localPort()), back.get(0).from());
        }
    }

    @Test
    void closeUnblocksAReceiveWithinASecond() throws Exception {
        LinuxUdp u = LinuxUdp.open(0, true, BUF);
        try (PacketBatch in = new PacketBatch(4, PacketBatch.MAX_DATAGRAM)) {
            CompletableFuture<Integer> r = CompletableFuture.supplyAsync(() -> {
                try {
                    return u.receive(in);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Thread.sleep(300);
            assertTrue(!r.isDone(), "receive returned with nothing sent");
            long t0 = System.nanoTime();
            u.close();
            assertEquals(-1, r.get(1, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1));
            assertEquals(-1, u.receive(in));
            Datagrams.put(in, 0, new byte[] {1}, 0, to(9));
            assertEquals(-1, u.send(in, 1));
        }
    }

    /** Steady state: batches go back and forth without a Java object per packet (warm-up lets the JIT settle). */
    @Test
    void steadyStateAllocatesNothingPerPacket() throws Exception {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported(), "reason=no-allocation-counter");
        try (LinuxUdp a = LinuxUdp.open(0, true, BUF);
                LinuxUdp b = LinuxUdp.open(0, true, BUF);
                PacketBatch out = new PacketBatch(16, 1500);
                PacketBatch in = new PacketBatch(16, PacketBatch.MAX_DATAGRAM)) {
            for (int i = 0; i < 16; i++) {
                Datagrams.put(out, i, Datagrams.payload(i, 1400), 0, to(b.localPort()));
            }
            long packets = 0;
            long before = 0;
            for (int round = 0; round < 6000; round++) {
                if (round == 5000) {
                    before = mx.getCurrentThreadAllocatedBytes();
                    packets = 0;
                }
                a.send(out, 16);
                int got = 0;
                while (got < 16) {
                    int n = b.receive(in);
                    for (int i = 0; i < n; i++) {
                        got += in.segments(i);
                    }
                }
                packets += got;
            }
            long perPacket = (mx.getCurrentThreadAllocatedBytes() - before) / packets;
            assertTrue(perPacket < 16, "bytes allocated per packet=" + perPacket);
        }
    }

    @Test
    void groSocketRefusesSmallSlots() throws Exception {
        try (LinuxUdp u = LinuxUdp.open(0, true, BUF); PacketBatch small = new PacketBatch(1, 2048)) {
            assumeTrue(u.gro(), "reason=kernel-without-udp-gro");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> u.receive(small));
        }
    }
}
