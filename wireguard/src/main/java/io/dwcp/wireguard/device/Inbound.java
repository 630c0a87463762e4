package io.dwcp.wireguard.device;

import io.dwcp.core.Log;
import io.dwcp.wireguard.net.PacketBatch;
import io.dwcp.wireguard.net.TunDevice;
import io.dwcp.wireguard.net.UdpTransport;
import io.dwcp.wireguard.noise.CookieReplyMessage;
import io.dwcp.wireguard.noise.InitiationMessage;
import io.dwcp.wireguard.noise.Keypair;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The receive path, one thread: receives datagram batches (split back into datagrams when the kernel coalesced
 * them), answers handshakes, and takes transport packets through three passes: in order, find each one's session;
 * in parallel (the crypto workers), open them in place; in order again, check each against the replay window and
 * its peer's allowed source addresses and hand it to the TUN writer. This thread is the only one that touches the
 * replay windows, which is what keeps them lock-free.
 */
final class Inbound extends DevicePath {
    private static final Log LOG = Log.of("wireguard");
    static final int SLOTS = 64;
    /** Transport packets one receive can return: every slot a GRO datagram of the kernel's 64 segments at most. */
    static final int MAX_PACKETS = SLOTS * 64;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED;

    private final TunWriter writer;
    // per transport packet of the current receive: found in order, opened in parallel, finished in order
    private final Session[] sessions = new Session[MAX_PACKETS];
    private final long[] counters = new long[MAX_PACKETS];
    private final int[] slots = new int[MAX_PACKETS];
    private final int[] bases = new int[MAX_PACKETS];
    private final int[] lengths = new int[MAX_PACKETS];
    private final int[] plains = new int[MAX_PACKETS];

    Inbound(Device device, TunDevice tun, UdpTransport udp, int mtu, boolean coalesce, int workers) {
        super("wg-in", device, tun, udp, mtu, workers);
        this.writer = new TunWriter(tun, coalesce);
    }

    boolean coalescing() {
        return writer.coalescing();
    }

    @Override
    void run() {
        int capacity = udp.gro() ? PacketBatch.MAX_DATAGRAM : TransportCipher.HEADER + mtu + 16 + TransportCipher.TAG + 64;
        try (PacketBatch batch = new PacketBatch(SLOTS, capacity);
                CryptoWorkers crypto = new CryptoWorkers(workers, "wg-open-" + tun.name(), c -> c.bind(batch))) {
            CryptoWorkers.Task open = (j, cipher) -> plains[j] = cipher.open(sessions[j].keypair().receiveKey(),
                    counters[j], slots[j], bases[j], lengths[j]);
            while (!device.closed()) {
                int n = udp.receive(batch);
                if (n < 0) {
                    return;
                }
                int packets = 0;
                for (int i = 0; i < n; i++) {
                    int length = batch.length(i);
                    int seg = batch.segmentSize(i);
                    int step = seg <= 0 || seg >= length ? length : seg;
                    for (int base = 0; base < length; base += step) {
                        packets += datagram(batch, i, base, Math.min(step, length - base), packets);
                    }
                }
                crypto.run(packets, open);
                for (int j = 0; j < packets; j++) {
                    finish(batch, j);
                    sessions[j] = null;
                }
                writer.flush();
            }
        } catch (IOException | RuntimeException e) {
            if (!device.closed()) {
                LOG.warn("device=" + tun.name() + " receive path stopped error=" + e);
            }
        }
    }

    /** The ordered first pass over one datagram; returns 1 when it queued a transport packet to open. */
    private int datagram(PacketBatch batch, int i, int base, int length, int j) {
        MemorySegment buf = batch.buffer(i);
        DeviceCounters c = device.counters();
        if (length < 4) {
            c.malformed.increment();
            return 0;
        }
        int type = buf.get(INT_LE, base);
        if (type >= InitiationMessage.TYPE && type <= CookieReplyMessage.TYPE) {
            byte[] msg = buf.asSlice(base, length).toArray(ValueLayout.JAVA_BYTE);
            device.handshakes().receive(type, msg, batch.endpoint(i));
            return 0;
        }
        if (type != TransportCipher.TYPE_TRANSPORT || length < TransportCipher.HEADER + TransportCipher.TAG) {
            c.malformed.increment();
            return 0;
        }
        if (!(device.indexes().lookup(buf.get(INT_LE, base + 4)) instanceof Session s)) {
            c.unknownIndex.increment();
            return 0;
        }
        long counter = buf.get(LONG_LE, base + 8);
        if (System.nanoTime() - s.keypair().createdNanos() >= device.timings().rejectAfterTime()
                || Long.compareUnsigned(counter, Timings.REJECT_AFTER_MESSAGES) >= 0) {
            c.expiredKeys.increment();
            return 0;
        }
        sessions[j] = s;
        counters[j] = counter;
        slots[j] = i;
        bases[j] = base;
        lengths[j] = length;
        return 1;
    }

    /** The ordered last pass over one opened (or not) transport packet. */
    private void finish(PacketBatch batch, int j) throws IOException {
        DeviceCounters c = device.counters();
        int plain = plains[j];
        if (plain < 0) {
            c.forged.increment();
            return;
        }
        Keypair kp = sessions[j].keypair();
        Peer peer = sessions[j].peer();
        long counter = counters[j];
        if (!kp.replayWindow().validateCounter(counter, Timings.REJECT_AFTER_MESSAGES)) {
            c.replayed.increment();
            return;
        }
        if (kp == peer.next) {
            device.confirmNext(peer, kp);
        }
        MemorySegment buf = batch.buffer(slots[j]);
        peer.roam(batch.endpoint(slots[j]));
        peer.rxBytes.addAndGet(lengths[j]);
        long now = System.nanoTime();
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
        long ip = bases[j] + TransportCipher.HEADER;
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
