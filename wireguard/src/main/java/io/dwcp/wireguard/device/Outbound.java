package io.dwcp.wireguard.device;

import io.dwcp.wireguard.net.PacketBatch;
import io.dwcp.wireguard.net.TunDevice;
import io.dwcp.wireguard.net.UdpTransport;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The send path, one thread: reads IP packets from the TUN device, finds each one's peer by destination, seals it
 * in place and sends the batch. Owns its batch and cipher; allocates nothing per packet but the JDK cipher's nonce.
 */
final class Outbound {
    private static final Logger LOG = Logger.getLogger(Outbound.class.getName());
    static final int SLOTS = 64;

    private final Device device;
    private final TunDevice tun;
    private final UdpTransport udp;
    private final int mtu;
    private final Thread thread;

    Outbound(Device device, TunDevice tun, UdpTransport udp, int mtu) {
        this.device = device;
        this.tun = tun;
        this.udp = udp;
        this.mtu = mtu;
        this.thread = Thread.ofPlatform().daemon().name("wg-out-" + tun.name()).unstarted(this::run);
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
                LOG.log(Level.WARNING, "device=" + tun.name() + " send path stopped", e);
            }
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
