package io.dwcp.wireguard.offload;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

import static io.dwcp.wireguard.offload.TcpDescriptor.ACK;
import static io.dwcp.wireguard.offload.TcpDescriptor.PSH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TSO super-packet → segments (read side) → coalesced GSO packet (write side) → segments again. */
class OffloadRoundTripTest {
    private final Arena arena = Arena.ofConfined();
    private final TcpSegmenter segmenter = new TcpSegmenter();
    private final TcpCoalescer coalescer = new TcpCoalescer(64);

    @AfterEach
    void close() {
        arena.close();
    }

    PacketRefs slots(int count) {
        PacketRefs batch = new PacketRefs(count);
        for (int i = 0; i < count; i++) {
            batch.slot(i, arena.allocate(Batches.ROOMY));
        }
        return batch;
    }

    /** The segmenter's output as the coalescer's input: the same buffers, packets at the headroom. */
    static PacketRefs asInput(PacketRefs segments) {
        PacketRefs in = new PacketRefs(segments.count());
        for (int i = 0; i < segments.count(); i++) {
            in.add(segments.buffer(i), segments.offset(i), segments.length(i));
        }
        return in;
    }

    void roundTrip(byte[] superPacket, int mss, int expectedSegments) {
        byte[] tso = Packets.tso(superPacket, mss);
        MemorySegment read = Packets.offHeap(arena, tso, 0, tso.length);
        PacketRefs segments = slots(64);
        assertEquals(expectedSegments, segmenter.segment(read, 0, tso.length, segments, Batches.HEADROOM));
        byte[][] firstCut = new byte[expectedSegments][];
        for (int i = 0; i < expectedSegments; i++) {
            firstCut[i] = Packets.bytes(segments.buffer(i), segments.offset(i), segments.length(i));
        }

        PacketRefs written = new PacketRefs(64);
        assertEquals(1, coalescer.coalesce(asInput(segments), written));
        Batches.assertCoalesced(written, 0, superPacket, mss);

        // What we write to the TUN is also what the kernel would hand back on a read: it must cut the same way.
        PacketRefs again = slots(64);
        assertEquals(expectedSegments,
                segmenter.segment(written.buffer(0), written.offset(0), written.length(0), again, 0));
        for (int i = 0; i < expectedSegments; i++) {
            assertArrayEquals(firstCut[i], Packets.bytes(again.buffer(i), 0, again.length(i)), "segment " + i);
        }
    }

    @Test
    void ipv4SuperPacketSurvivesSegmentAndCoalesce() {
        byte[] payload = Packets.payload(47 * 1380 + 500, 21);
        roundTrip(Packets.Tcp.v4().seq(-700).flags(ACK | PSH).payload(payload).build(), 1380, 48);
    }

    @Test
    void ipv6SuperPacketWithTimestampsSurvivesSegmentAndCoalesce() {
        byte[] payload = Packets.payload(45 * 1428, 22);
        roundTrip(Packets.Tcp.v6().options(Packets.TIMESTAMPS).payload(payload).build(), 1428, 45);
    }

    @Test
    void steadyStateAllocatesNothing() {
        byte[] tso = Packets.tso(Packets.Tcp.v4().payload(Packets.payload(40 * 1380, 23)).build(), 1380);
        MemorySegment read = Packets.offHeap(arena, tso, 0, tso.length);
        PacketRefs segments = slots(64);
        PacketRefs in = new PacketRefs(64);
        PacketRefs written = new PacketRefs(64);
        Runnable cycle = () -> {
            segmenter.segment(read, 0, tso.length, segments, Batches.HEADROOM);
            in.clear();
            for (int i = 0; i < segments.count(); i++) {
                in.add(segments.buffer(i), segments.offset(i), segments.length(i));
            }
            coalescer.coalesce(in, written);
        };
        for (int i = 0; i < 2_000; i++) {
            cycle.run();
        }
        assertEquals(1, written.count());
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000; i++) {
            cycle.run();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // 40 packets a cycle: even one 16-byte object per packet would be 640 KB here.
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes in 1000 cycles");
    }
}
