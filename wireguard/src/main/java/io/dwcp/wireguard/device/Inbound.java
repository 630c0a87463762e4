package io.dwcp.wireguard.device;

import io.dwcp.core.Log;
import io.dwcp.wireguard.net.PacketBatch;
import io.dwcp.wireguard.net.TunDevice;
import io.dwcp.wireguard.net.UdpTransport;
import io.dwcp.wireguard.noise.Keypair;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * The receive path, one thread: receives datagram batches (split back into datagrams when the kernel coalesced
 * them), answers handshakes, opens transport packets in place, checks each against the replay window and its
 * peer's allowed source addresses, and writes the packets to the TUN device. It is the only thread that touches
 * the replay windows, which is what keeps them lock-free.
 */
final class Inbound {
    private static final Log LOG = Log.of("wireguard");
    static final int SLOTS = 64;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED;

    private final Device device;
    private final TunDevice tun;
    private final UdpTransport udp;
    private final int mtu;
    private final Thread thread;
    private final TransportCipher cipher = new TransportCipher();
    private final TunWriter writer;

    Inbound(Device device, TunDevice tun, UdpTransport udp, int mtu, boolean coalesce) {
        this.device = device;
        this.tun = tun;
        this.udp = udp;
        this.mtu = mtu;
        this.writer = new TunWriter(tun, coalesce);
        this.thread = Thread.ofPlatform().daemon().name("wg-in-" + tun.name()).unstarted(this::run);
    }

    boolean coalescing() {
        return writer.coalescing();
    }

    void start() {
        thread.start();
    }

    void join() {
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        int capacity = udp.gro() ? PacketBatch.MAX_DATAGRAM : TransportCipher.HEADER + mtu + 16 + TransportCipher.TAG + 64;
        try (PacketBatch batch = new PacketBatch(SLOTS, capacity)) {
            ByteBuffer[] in = new ByteBuffer[SLOTS];
            ByteBuffer[] out = new ByteBuffer[SLOTS];
            for (int i = 0; i < SLOTS; i++) {
                in[i] = batch.buffer(i).asByteBuffer();
                out[i] = batch.buffer(i).asByteBuffer();
            }
            while (!device.closed()) {
                int n = udp.receive(batch);
                if (n < 0) {
                    return;
                }
                for (int i = 0; i < n; i++) {
                    int length = batch.length(i);
                    int seg = batch.segmentSize(i);
                    int step = seg <= 0 || seg >= length ? length : seg;
                    for (int base = 0; base < length; base += step) {
                        datagram(batch, i, in[i], out[i], base, Math.min(step, length - base));
                    }
                }
                writer.flush();
            }
        } catch (IOException | RuntimeException e) {
            if (!device.closed()) {
                LOG.warn("device=" + tun.name() + " receive path stopped" + " error=" + e);
            }
        }
    }

    private void datagram(PacketBatch batch, int i, ByteBuffer in, ByteBuffer out, int base, int length)
            throws IOException {
        MemorySegment buf = batch.buffer(i);
        if (length < 4) {
            device.counters().malformed.increment();
            return;
        }
        int type = buf.get(INT_LE, base);
        if (type == TransportCipher.TYPE_TRANSPORT) {
            transport(buf, batch.endpoint(i), in, out, base, length);
        } else if (type >= HandshakeService.TYPE_INITIATION && type <= HandshakeService.TYPE_COOKIE) {
            byte[] msg = buf.asSlice(base, length).toArray(ValueLayout.JAVA_BYTE);
            device.handshakes().receive(type, msg, batch.endpoint(i));
        } else {
            device.counters().malformed.increment();
        }
    }

    private void transport(MemorySegment buf, MemorySegment source, ByteBuffer in, ByteBuffer out, int base,
                           int length) throws IOException {
        DeviceCounters c = device.counters();
        if (length < TransportCipher.HEADER + TransportCipher.TAG) {
            c.malformed.increment();
            return;
        }
        if (!(device.indexes().lookup(buf.get(INT_LE, base + 4)) instanceof Session s)) {
            c.unknownIndex.increment();
            return;
        }
        Keypair kp = s.keypair();
        Peer peer = s.peer();
        long counter = buf.get(LONG_LE, base + 8);
        long now = System.nanoTime();
        if (now - kp.createdNanos() >= device.timings().rejectAfterTime()
                || Long.compareUnsigned(counter, Timings.REJECT_AFTER_MESSAGES) >= 0) {
            c.expiredKeys.increment();
            return;
        }
        int plain = cipher.open(kp.receiveKey(), counter, in, out, base, length);
        if (plain < 0) {
            c.forged.increment();
            return;
        }
        if (!kp.replayWindow().validateCounter(counter, Timings.REJECT_AFTER_MESSAGES)) {
            c.replayed.increment();
            return;
        }
        if (kp == peer.next) {
            device.confirmNext(peer, kp);
        }
        peer.roam(source);
        peer.rxBytes.addAndGet(length);
        PeerTimers t = peer.timers;
        t.anyAuthenticatedReceived();
        t.anyAuthenticatedTraversal(now, peer.persistentKeepaliveSeconds);
        Timings timings = device.timings();
        if (kp.isInitiator() && now - kp.createdNanos() >= timings.rekeyOnReceiveAge()
                && now - peer.lastInitiationSent >= timings.rekeyTimeout()) {
            device.handshakes().sendInitiation(peer, false);
        }
        if (plain == 0) {
            return;
        }
        t.dataReceived(now);
        long ip = base + TransportCipher.HEADER;
        int version = PacketRoutes.version(buf, ip, plain);
        int packetLength = version == 0 ? -1 : PacketRoutes.claimedLength(buf, ip, version, plain);
        if (packetLength < 0) {
            c.malformed.increment();
            return;
        }
        if (device.routes().lookup(buf, ip + PacketRoutes.sourceOffset(version), PacketRoutes.addressLength(version))
                != peer) {
            c.badSource.increment();
            return;
        }
        writer.write(buf, ip, packetLength);
    }
}
