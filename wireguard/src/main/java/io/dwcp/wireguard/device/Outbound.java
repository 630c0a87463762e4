package io.dwcp.wireguard.device;

import io.dwcp.core.Log;
import io.dwcp.wireguard.net.Endpoints;
import io.dwcp.wireguard.net.PacketBatch;
import io.dwcp.wireguard.net.TunDevice;
import io.dwcp.wireguard.net.UdpTransport;
import io.dwcp.wireguard.noise.Keypair;
import io.dwcp.wireguard.offload.PacketRefs;
import io.dwcp.wireguard.offload.TcpSegmenter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The send path, one thread: reads IP packets from the TUN device (with TSO, a 64 KiB TCP super-packet at a time,
 * cut into MTU-sized segments straight into the batch's slots), finds each one's peer by destination and gives it a
 * counter, in order; the sealing fans out to the crypto workers; the sealed run goes out in one sendmmsg, or as UDP
 * GSO super-datagrams. Owns its batch and ciphers; allocates nothing per packet but the JDK cipher's nonce.
 */
final class Outbound extends DevicePath {
    private static final Log LOG = Log.of("wireguard");
    static final int SLOTS = 64;
    /** UDP payload bytes one GSO super-datagram may hold (an IPv4 datagram's 65,535 less its headers). */
    static final int GSO_MAX_BYTES = 65_507;
    /** The kernel's UDP_MAX_SEGMENTS. */
    static final int GSO_MAX_SEGMENTS = 64;

    private final boolean gso;
    /** Per slot, what the ordered pass decided and the parallel pass needs: keys, counter, payload length. */
    private final Keypair[] keys = new Keypair[SLOTS];
    private final long[] counters = new long[SLOTS];
    private final int[] payloads = new int[SLOTS];

    Outbound(Device device, TunDevice tun, UdpTransport udp, int mtu, boolean gso, int workers) {
        super("wg-out", device, tun, udp, mtu, workers);
        this.gso = gso;
    }

    boolean gso() {
        return gso;
    }

    @Override
    void run() {
        int capacity = TransportCipher.HEADER + mtu + 16 + TransportCipher.TAG;
        try (PacketBatch batch = new PacketBatch(SLOTS, capacity);
                CryptoWorkers crypto = new CryptoWorkers(workers, "wg-seal-" + tun.name(), c -> c.bind(batch));
                PacketBatch superBatch = gso ? new PacketBatch(2, PacketBatch.MAX_DATAGRAM) : null;
                Arena arena = Arena.ofConfined()) {
            CryptoWorkers.Task seal = (i, cipher) -> {
                if (keys[i] != null) {
                    batch.setLength(i, cipher.seal(keys[i].sendKey(), keys[i].remoteIndex(), counters[i], i, 0,
                            payloads[i], mtu));
                }
            };
            PacketRefs segments = new PacketRefs(SLOTS);
            for (int i = 0; i < SLOTS; i++) {
                segments.slot(i, batch.buffer(i));
            }
            TcpSegmenter segmenter = new TcpSegmenter();
            MemorySegment readBuf = tun.vnetHdr()
                    ? arena.allocate(TunDevice.VNET_HDR_LEN + PacketBatch.MAX_DATAGRAM, 64)
                    : batch.buffer(0).asSlice(TransportCipher.HEADER, mtu);
            while (!device.closed()) {
                int n = tun.read(readBuf);
                if (n < 0) {
                    return;
                }
                int count;
                if (tun.vnetHdr()) {
                    count = segmenter.segment(readBuf, 0, n, segments, TransportCipher.HEADER);
                    if (count < 0) {
                        device.counters().malformed.increment();
                        continue;
                    }
                } else {
                    count = 1;
                    payloads[0] = n;
                }
                for (int i = 0; i < count; i++) {
                    if (tun.vnetHdr()) {
                        payloads[i] = segments.length(i);
                    }
                    prepare(batch, i);
                }
                crypto.run(count, seal);
                send(batch, superBatch, count);
            }
        } catch (IOException | RuntimeException e) {
            if (!device.closed()) {
                LOG.warn("device=" + tun.name() + " send path stopped error=" + e);
            }
        }
    }

    /**
     * The ordered part for slot {@code i}: route, keys, counter, bookkeeping. Leaves {@code keys[i]} null when the
     * packet is not sent now (no route, or staged until a handshake completes).
     */
    private void prepare(PacketBatch batch, int i) {
        keys[i] = null;
        MemorySegment buf = batch.buffer(i);
        int length = payloads[i];
        int version = PacketRoutes.version(buf, TransportCipher.HEADER, length);
        if (version == 0) {
            device.counters().malformed.increment();
            return;
        }
        Peer peer = device.routes().lookup(buf, TransportCipher.HEADER + PacketRoutes.destinationOffset(version),
                PacketRoutes.addressLength(version));
        MemorySegment endpoint = peer == null ? null : peer.endpoint;
        if (endpoint == null) {
            device.counters().noRoute.increment();
            return;
        }
        long now = System.nanoTime();
        Keypair kp = device.sendingKeypair(peer, now);
        long counter = kp == null ? -1 : kp.nextSendCounter();
        if (counter < 0) {
            device.stage(peer, buf, TransportCipher.HEADER, length);
            return;
        }
        keys[i] = kp;
        counters[i] = counter;
        batch.setSegmentSize(i, 0);
        batch.setEndpoint(i, endpoint);
        device.sent(peer, kp, counter, device.sealedLength(length), length, now);
    }

    /** Sends the sealed slots in order: runs between unsent ones, each as one sendmmsg or as GSO super-datagrams. */
    private void send(PacketBatch batch, PacketBatch superBatch, int count) throws IOException {
        int runStart = 0;
        for (int i = 0; i <= count; i++) {
            if (i == count || keys[i] == null) {
                flush(batch, superBatch, runStart, i);
                runStart = i + 1;
            }
        }
    }

    private void flush(PacketBatch batch, PacketBatch superBatch, int from, int to) throws IOException {
        if (to <= from) {
            return;
        }
        if (superBatch != null && to - from > 1) {
            flushGso(batch, superBatch, from, to);
            return;
        }
        if (from == 0) {
            udp.send(batch, to);
            return;
        }
        // rare (a packet for a peer without keys inside a super-packet): move the run to the front
        for (int i = from; i < to; i++) {
            int k = i - from;
            MemorySegment.copy(batch.buffer(i), 0, batch.buffer(k), 0, batch.length(i));
            batch.setLength(k, batch.length(i));
            batch.setSegmentSize(k, 0);
            batch.setEndpoint(k, batch.endpoint(i));
        }
        udp.send(batch, to - from);
    }

    /**
     * UDP GSO: consecutive sealed datagrams to one endpoint, all of one size but a shorter last, are copied back to
     * back into one super-datagram the kernel segments late (one pass through the UDP/IP stack instead of one per
     * datagram). The copy is a memcpy of what was just sealed, cheap next to the sealing.
     */
    private void flushGso(PacketBatch batch, PacketBatch superBatch, int from, int to) throws IOException {
        int k = 0;
        int i = from;
        while (i < to) {
            MemorySegment endpoint = batch.endpoint(i);
            MemorySegment dst = superBatch.buffer(k);
            int size = batch.length(i);
            int off = 0;
            int n = 0;
            while (i < to && n < GSO_MAX_SEGMENTS && off + batch.length(i) <= GSO_MAX_BYTES
                    && batch.length(i) <= size && Endpoints.same(endpoint, batch.endpoint(i))) {
                int len = batch.length(i);
                MemorySegment.copy(batch.buffer(i), 0, dst, off, len);
                off += len;
                n++;
                i++;
                if (len < size) {
                    break; // only the last segment may be shorter
                }
            }
            superBatch.setLength(k, off);
            superBatch.setSegmentSize(k, n > 1 ? size : 0);
            superBatch.setEndpoint(k, endpoint);
            if (++k == superBatch.slots()) {
                udp.send(superBatch, k);
                k = 0;
            }
        }
        if (k > 0) {
            udp.send(superBatch, k);
        }
    }
}
