package io.dwcp.wireguard.device;

import io.dwcp.core.Log;
import io.dwcp.wireguard.net.Endpoints;
import io.dwcp.wireguard.net.PacketBatch;
import io.dwcp.wireguard.net.TunDevice;
import io.dwcp.wireguard.net.UdpTransport;
import java.io.IOException;
import io.dwcp.wireguard.offload.PacketRefs;
import io.dwcp.wireguard.offload.TcpSegmenter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The send path, one thread: reads IP packets from the TUN device, finds each one's peer by destination, seals it
 * in place and sends the batch. Owns its batch and cipher; allocates nothing per packet but the JDK cipher's nonce.
 */
final class Outbound {
    private static final Log LOG = Log.of("wireguard");
    static final int SLOTS = 64;

    private final Device device;
    private final TunDevice tun;
    private final UdpTransport udp;
    private final int mtu;
    private final Thread thread;

    /** UDP payload bytes one GSO super-datagram may hold (an IPv4 datagram's 65,535 less its headers). */
    static final int GSO_MAX_BYTES = 65_507;
    /** The kernel's UDP_MAX_SEGMENTS. */
    static final int GSO_MAX_SEGMENTS = 64;

    private final boolean gso;

    Outbound(Device device, TunDevice tun, UdpTransport udp, int mtu, boolean gso) {
        this.gso = gso;
        this.device = device;
        this.tun = tun;
        this.udp = udp;
        this.mtu = mtu;
        this.thread = Thread.ofPlatform().daemon().name("wg-out-" + tun.name()).unstarted(this::run);
    }

    boolean gso() {
        return gso;
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
        int capacity = TransportCipher.HEADER + mtu + 16 + TransportCipher.TAG;
        TransportCipher cipher = new TransportCipher();
        try (PacketBatch batch = new PacketBatch(SLOTS, capacity)) {
            ByteBuffer[] in = new ByteBuffer[SLOTS];
            ByteBuffer[] out = new ByteBuffer[SLOTS];
            for (int i = 0; i < SLOTS; i++) {
                in[i] = batch.buffer(i).asByteBuffer();
                out[i] = batch.buffer(i).asByteBuffer();
            }
            if (tun.vnetHdr()) {
                runOffloaded(batch, in, out, cipher);
                return;
            }
            MemorySegment readArea = batch.buffer(0).asSlice(TransportCipher.HEADER, mtu);
            while (!device.closed()) {
                int n = tun.read(readArea);
                if (n < 0) {
                    return;
                }
                if (send(batch, in[0], out[0], 0, n, cipher) > 0) {
                    udp.send(batch, 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!device.closed()) {
                LOG.warn("device=" + tun.name() + " send path stopped" + " error=" + e);
            }
        }
    }

    /**
     * With TUN offloads: one read returns a TCP super-packet (up to 64 KiB) behind its virtio-net header; it is cut
     * into MTU-sized segments straight into the batch's slots (behind room for the transport header), each sealed in
     * place, and the whole run goes out in one sendmmsg: one read and one send for up to 45 packets.
     */
    private void runOffloaded(PacketBatch batch, ByteBuffer[] in, ByteBuffer[] out, TransportCipher cipher)
            throws IOException {
        TcpSegmenter segmenter = new TcpSegmenter();
        PacketRefs segments = new PacketRefs(SLOTS);
        for (int i = 0; i < SLOTS; i++) {
            segments.slot(i, batch.buffer(i));
        }
        try (Arena arena = Arena.ofConfined(); PacketBatch superBatch = gso ? new PacketBatch(2, PacketBatch.MAX_DATAGRAM) : null) {
            MemorySegment readBuf = arena.allocate(TunDevice.VNET_HDR_LEN + PacketBatch.MAX_DATAGRAM, 64);
            while (!device.closed()) {
                int n = tun.read(readBuf);
                if (n < 0) {
                    return;
                }
                int count = segmenter.segment(readBuf, 0, n, segments, TransportCipher.HEADER);
                if (count < 0) {
                    device.counters().malformed.increment();
                    continue;
                }
                // seal each segment in its slot; send runs of sealed slots (a staged or dropped one breaks a run)
                int runStart = 0;
                for (int i = 0; i < count; i++) {
                    if (send(batch, in[i], out[i], i, segments.length(i), cipher) <= 0) {
                        flush(batch, superBatch, runStart, i);
                        runStart = i + 1;
                    }
                }
                flush(batch, superBatch, runStart, count);
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

    /** Routes and seals the packet in slot {@code i}; returns its datagram length, or 0 when it was not sent now. */
    private int send(PacketBatch batch, ByteBuffer in, ByteBuffer out, int i, int length, TransportCipher cipher) {
        MemorySegment buf = batch.buffer(i);
        int version = PacketRoutes.version(buf, TransportCipher.HEADER, length);
        if (version == 0) {
            device.counters().malformed.increment();
            return 0;
        }
        Peer peer = device.routes().lookup(buf, TransportCipher.HEADER + PacketRoutes.destinationOffset(version),
                PacketRoutes.addressLength(version));
        MemorySegment endpoint = peer == null ? null : peer.endpoint;
        if (endpoint == null) {
            device.counters().noRoute.increment();
            return 0;
        }
        long now = System.nanoTime();
        int len = device.seal(peer, cipher, in, out, 0, length, now);
        if (len < 0) {
            device.stage(peer, buf, TransportCipher.HEADER, length);
            return 0;
        }
        batch.setLength(i, len);
        batch.setSegmentSize(i, 0);
        batch.setEndpoint(i, endpoint);
        return len;
    }
}
