package io.dwcp.wireguard.device;

import io.dwcp.wireguard.net.PacketBatch;
import io.dwcp.wireguard.net.UdpTransport;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Sends what is not bulk data: handshake messages, cookie replies, keepalives and the packets staged while a
 * handshake was in flight. Several threads send these (timers, the receive thread, the send thread), so it owns
 * its own small batch and cipher behind a monitor; none of this is on the per-packet path.
 */
final class ControlSender implements AutoCloseable {
    private long failures;
    private static final int SLOTS = 16;

    private final UdpTransport udp;
    private final PacketBatch batch;
    private final TransportCipher cipher = new TransportCipher();

    ControlSender(UdpTransport udp, int mtu) {
        this.udp = udp;
        this.batch = new PacketBatch(SLOTS, mtu + TransportCipher.HEADER + TransportCipher.TAG + 16);
        cipher.bind(batch);
    }

    /** Sends {@code length} bytes of {@code msg} to the endpoint {@code to}. */
    synchronized void sendRaw(MemorySegment to, byte[] msg, int length) {
        MemorySegment.copy(msg, 0, batch.buffer(0), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, length);
        batch.setLength(0, length);
        batch.setSegmentSize(0, 0);
        batch.setEndpoint(0, to);
        send(1);
    }

    /** A keepalive: an empty transport packet, or a handshake when the peer has no keys. */
    synchronized void sendKeepalive(Device device, Peer peer) {
        MemorySegment to = peer.endpoint;
        if (to == null) {
            return;
        }
        int len = device.seal(peer, cipher, 0, 0, 0, System.nanoTime());
        if (len < 0) {
            device.handshakes().sendInitiation(peer, false);
            return;
        }
        batch.setLength(0, len);
        batch.setSegmentSize(0, 0);
        batch.setEndpoint(0, to);
        send(1);
    }

    /** Sends the peer's staged packets with its new keys; false when none were staged. */
    synchronized boolean flushStaged(Device device, Peer peer) {
        MemorySegment to = peer.endpoint;
        if (to == null) {
            return false;
        }
        int[] count = {0};
        boolean[] any = {false};
        peer.lock.lock();
        try {
            peer.staged.drain((slot, length) -> {
                any[0] = true;
                int i = count[0];
                MemorySegment.copy(slot, 0, batch.buffer(i), TransportCipher.HEADER, length);
                int len = device.seal(peer, cipher, i, 0, length, System.nanoTime());
                if (len < 0) {
                    return;
                }
                batch.setLength(i, len);
                batch.setSegmentSize(i, 0);
                batch.setEndpoint(i, to);
                if (++count[0] == SLOTS) {
                    send(SLOTS);
                    count[0] = 0;
                }
            });
        } finally {
            peer.lock.unlock();
        }
        if (count[0] > 0) {
            send(count[0]);
        }
        return any[0];
    }

    private void send(int n) {
        try {
            udp.send(batch, n);
        } catch (IOException e) {
            // a control message lost to a socket error is a lost datagram: the timers retry
            failures++;
        }
    }

    /** Control messages the socket refused (the protocol's timers resend what matters). */
    synchronized long failures() {
        return failures;
    }

    @Override
    public synchronized void close() {
        batch.close();
    }
}
