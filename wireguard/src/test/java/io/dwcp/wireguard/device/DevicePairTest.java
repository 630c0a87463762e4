package io.dwcp.wireguard.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.wireguard.crypto.Keys;
import io.dwcp.wireguard.crypto.X25519;
import io.dwcp.wireguard.linux.NetPaths;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two devices over real UDP sockets on loopback, each behind an in-memory TUN: the protocol's behaviour without
 * root. A relay between them can capture and replay datagrams.
 */
class DevicePairTest {
    private static final int MTU = 1420;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private record Side(Device device, MemoryTun tun, byte[] priv, byte[] pub) {
    }

    private Side side(String name, Timings timings) throws Exception {
        return side(name, timings, 0);
    }

    private Side side(String name, Timings timings, int cryptoWorkers) throws Exception {
        MemoryTun tun = new MemoryTun(name);
        Device d = new Device(tun, NetPaths.get().openUdp(0, 1 << 20), MTU, timings, true, true, cryptoWorkers);
        byte[] priv = Keys.genkey();
        d.privateKey(priv);
        d.start();
        open.add(d);
        return new Side(d, tun, priv, X25519.publicKey(priv));
    }

    private static InetSocketAddress local(int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port);
    }

    /** A's peer is B (10.9.0.2) and B's peer is A (10.9.0.1); A knows where B is, B learns A from its handshake. */
    private static void connect(Side a, Side b, InetSocketAddress aSeesB, byte[] pskA, byte[] pskB) {
        Peer pb = a.device.peer(b.pub);
        a.device.addAllowedIp(pb, new byte[] {10, 9, 0, 2}, 32);
        a.device.endpoint(pb, aSeesB);
        a.device.presharedKey(pb, pskA);
        Peer pa = b.device.peer(a.pub);
        b.device.addAllowedIp(pa, new byte[] {10, 9, 0, 1}, 32);
        b.device.presharedKey(pa, pskB);
    }

    @Test
    void packetsBothWaysAfterAKeepaliveIncludingFullSize() throws Exception {
        packetsBothWays(0);
    }

    @Test
    void packetsBothWaysWithCryptoWorkers() throws Exception {
        packetsBothWays(3);
    }

    private void packetsBothWays(int workers) throws Exception {
        Side a = side("a", Timings.STANDARD, workers);
        Side b = side("b", Timings.STANDARD, workers);
        connect(a, b, local(b.device.listenPort()), null, null);
        byte[] first = MemoryTun.packet(1, 2, 100, 1);
        a.tun.inject(first);
        assertArrayEquals(first, b.tun.takeWritten(5000), "first packet, staged during the handshake");
        Peer pb = a.device.peers().getFirst();
        a.device.sendKeepalive(pb);
        for (int seq = 2; seq < 40; seq++) {
            // growing sizes that need padding: each pads past where the previous packet ended
            int size = seq == 39 ? MTU : 33 + seq * 35;
            byte[] p = MemoryTun.packet(1, 2, size, seq);
            a.tun.inject(p);
            assertArrayEquals(p, b.tun.takeWritten(5000), "packet " + seq + " of " + size + " bytes");
        }
        byte[] back = MemoryTun.packet(2, 1, MTU, 99);
        b.tun.inject(back);
        assertArrayEquals(back, a.tun.takeWritten(5000));
        assertEquals(1, a.device.counters().handshakes());
        assertEquals(0, b.device.counters().forged() + b.device.counters().replayed());
        assertTrue(pb.txBytes() > 39 * 32 && pb.rxBytes() > 0);
    }

    @Test
    void aPacketFromAnAddressThePeerMayNotUseIsDropped() throws Exception {
        Side a = side("a", Timings.STANDARD);
        Side b = side("b", Timings.STANDARD);
        connect(a, b, local(b.device.listenPort()), null, null);
        a.tun.inject(MemoryTun.packet(1, 2, 60, 1));
        assertNotNull(b.tun.takeWritten(5000));
        a.tun.inject(MemoryTun.packet(7, 2, 60, 2)); // source 10.9.0.7 is not A's
        assertNull(b.tun.takeWritten(500));
        assertEquals(1, b.device.counters().badSource());
    }

    @Test
    void aReplayedPacketIsDroppedAndCounted() throws Exception {
        Side a = side("a", Timings.STANDARD);
        Side b = side("b", Timings.STANDARD);
        AtomicReference<ByteBuffer> captured = new AtomicReference<>();
        DatagramChannel relay = DatagramChannel.open().bind(local(0));
        open.add(relay);
        int aPort = a.device.listenPort();
        InetSocketAddress toB = local(b.device.listenPort());
        InetSocketAddress toA = local(aPort);
        Thread.ofVirtual().start(() -> {
            ByteBuffer buf = ByteBuffer.allocate(65536);
            try {
                while (true) {
                    buf.clear();
                    InetSocketAddress from = (InetSocketAddress) relay.receive(buf);
                    buf.flip();
                    if (from.getPort() == aPort) {
                        if (buf.remaining() > 32 && buf.get(0) == 4) {
                            captured.set(ByteBuffer.allocate(buf.remaining()).put(buf.duplicate()).flip());
                        }
                        relay.send(buf, toB);
                    } else {
                        relay.send(buf, toA);
                    }
                }
            } catch (java.io.IOException e) {
                // closed at the end of the test
            }
        });
        connect(a, b, (InetSocketAddress) relay.getLocalAddress(), null, null);
        byte[] p = MemoryTun.packet(1, 2, 200, 5);
        a.tun.inject(p);
        assertArrayEquals(p, b.tun.takeWritten(5000));
        ByteBuffer replay = captured.get();
        assertNotNull(replay);
        relay.send(replay.duplicate(), toB);
        assertNull(b.tun.takeWritten(500), "the replayed packet must not reach the TUN device");
        assertEquals(1, b.device.counters().replayed());
        // and a forged one (one ciphertext bit flipped) is counted as forged
        ByteBuffer forged = ByteBuffer.allocate(replay.remaining()).put(replay.duplicate()).flip();
        forged.order(ByteOrder.LITTLE_ENDIAN).putLong(8, forged.getLong(8) + 1000);
        forged.put(40, (byte) (forged.get(40) ^ 1));
        relay.send(forged, toB);
        assertNull(b.tun.takeWritten(500));
        assertEquals(1, b.device.counters().forged());
    }

    @Test
    void aPeerWithAnUnknownKeyIsIgnored() throws Exception {
        Side a = side("a", Timings.STANDARD);
        Side b = side("b", Timings.STANDARD);
        Side stranger = side("c", Timings.STANDARD);
        connect(a, b, local(b.device.listenPort()), null, null);
        // the stranger knows B's key and address; B does not know the stranger's key
        Peer pb = stranger.device.peer(b.pub);
        stranger.device.addAllowedIp(pb, new byte[] {10, 9, 0, 2}, 32);
        stranger.device.endpoint(pb, local(b.device.listenPort()));
        stranger.tun.inject(MemoryTun.packet(1, 2, 80, 1));
        assertNull(b.tun.takeWritten(1000));
        assertTrue(b.device.counters().handshakeRejected() >= 1);
        assertEquals(0, b.device.counters().handshakes());
    }

    @Test
    void aPresharedKeyMismatchFailsTheHandshake() throws Exception {
        Side a = side("a", Timings.STANDARD);
        Side b = side("b", Timings.STANDARD);
        byte[] pskA = new byte[32];
        byte[] pskB = new byte[32];
        pskA[0] = 1;
        pskB[0] = 2;
        connect(a, b, local(b.device.listenPort()), pskA, pskB);
        a.tun.inject(MemoryTun.packet(1, 2, 80, 1));
        assertNull(b.tun.takeWritten(1000));
        assertEquals(0, a.device.counters().handshakes(), "the initiator must not accept the response");
        assertTrue(a.device.counters().handshakeRejected() >= 1);
        assertNull(a.device.peers().getFirst().current);
    }

    @Test
    void rekeyingWithShortTimersKeepsAStreamAlive() throws Exception {
        Timings fast = Timings.scaledTo(Duration.ofMillis(400));
        Side a = side("a", fast);
        Side b = side("b", fast);
        connect(a, b, local(b.device.listenPort()), null, null);
        long end = System.nanoTime() + Duration.ofMillis(2500).toNanos();
        int seq = 0;
        while (System.nanoTime() < end) {
            byte[] p = MemoryTun.packet(1, 2, 500, seq++);
            a.tun.inject(p);
            byte[] got = b.tun.takeWritten(3000);
            assertArrayEquals(p, got, "packet " + seq + " across rekeying");
            Thread.sleep(5);
        }
        assertTrue(a.device.counters().handshakes() >= 4,
                "handshakes=" + a.device.counters().handshakes() + " in 2.5 s with rekey-after 0.4 s");
        assertEquals(0, b.device.counters().forged() + b.device.counters().expiredKeys());
    }

    @Test
    void underLoadTheResponderDemandsACookieAndTheHandshakeStillCompletes() throws Exception {
        Timings fast = Timings.scaledTo(Duration.ofSeconds(3)); // initiation retries after 125 ms
        Side a = side("a", fast);
        Side b = side("b", fast);
        b.device.forceUnderLoad(true);
        connect(a, b, local(b.device.listenPort()), null, null);
        byte[] p = MemoryTun.packet(1, 2, 300, 1);
        a.tun.inject(p);
        assertArrayEquals(p, b.tun.takeWritten(5000), "delivered once the initiator proved its address with mac2");
        assertTrue(b.device.counters().cookiesSent() >= 1, b.device.counters().toString());
        assertEquals(1, b.device.counters().handshakes());
    }

    @Test
    void persistentKeepaliveKeepsTalkingWithoutData() throws Exception {
        Side a = side("a", Timings.STANDARD);
        Side b = side("b", Timings.STANDARD);
        connect(a, b, local(b.device.listenPort()), null, null);
        a.tun.inject(MemoryTun.packet(1, 2, 100, 1));
        assertNotNull(b.tun.takeWritten(5000));
        Peer pb = a.device.peers().getFirst();
        a.device.persistentKeepalive(pb, 1);
        Peer pa = b.device.peers().getFirst();
        long before = pa.rxBytes();
        Thread.sleep(2600);
        // at least two 32-byte keepalives, and none of them reached B's TUN device
        assertTrue(pa.rxBytes() - before >= 64, "rx grew by " + (pa.rxBytes() - before));
        assertNull(b.tun.takeWritten(10));
    }
}
