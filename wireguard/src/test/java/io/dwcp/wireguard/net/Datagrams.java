package io.dwcp.wireguard.net;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: recognisable payloads, and received slots split into the datagrams they stand for. */
public final class Datagrams {
    /** One datagram as the receiver saw it. */
    public record Received(InetSocketAddress from, byte[] data) {
    }

    private Datagrams() {
    }

    /** Payload {@code i} of a test: bytes that differ per datagram and per position. */
    public static byte[] payload(int i, int length) {
        byte[] b = new byte[length];
        for (int k = 0; k < length; k++) {
            b[k] = (byte) (i * 31 + k * 7);
        }
        return b;
    }

    /** Puts {@code data} into slot {@code i} for {@code to}. */
    public static void put(PacketBatch batch, int i, byte[] data, int segmentSize, InetSocketAddress to) {
        MemorySegment.copy(data, 0, batch.buffer(i), ValueLayout.JAVA_BYTE, 0, data.length);
        batch.setLength(i, data.length);
        batch.setSegmentSize(i, segmentSize);
        batch.setAddress(i, to);
    }

    /** The datagrams in slots {@code 0..n-1}, coalesced slots split at their segment size. */
    public static List<Received> split(PacketBatch batch, int n) {
        List<Received> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            InetSocketAddress from = batch.address(i);
            int len = batch.length(i);
            int seg = batch.segmentSize(i) > 0 ? batch.segmentSize(i) : Math.max(len, 1);
            int off = 0;
            do {
                int l = Math.min(seg, len - off);
                out.add(new Received(from, batch.buffer(i).asSlice(off, l).toArray(ValueLayout.JAVA_BYTE)));
                off += seg;
            } while (off < len);
        }
        return out;
    }

    /** Receives until {@code count} datagrams arrived; the caller's timeout ends a wait for lost ones. */
    public static List<Received> receive(UdpTransport t, PacketBatch batch, int count) throws IOException {
        List<Received> got = new ArrayList<>();
        while (got.size() < count) {
            int n = t.receive(batch);
            assertTrue(n > 0, "receive returned " + n + " after " + got.size() + " of " + count);
            got.addAll(split(batch, n));
        }
        return got;
    }
}
