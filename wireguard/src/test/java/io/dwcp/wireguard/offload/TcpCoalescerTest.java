package io.dwcp.wireguard.offload;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static io.dwcp.wireguard.offload.TcpDescriptor.ACK;
import static io.dwcp.wireguard.offload.TcpDescriptor.FIN;
import static io.dwcp.wireguard.offload.TcpDescriptor.PSH;
import static io.dwcp.wireguard.offload.TcpDescriptor.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TcpCoalescerTest {
    private final Arena arena = Arena.ofConfined();
    private final TcpCoalescer coalescer = new TcpCoalescer(64);
    private final PacketRefs out = new PacketRefs(64);

    @AfterEach
    void close() {
        arena.close();
    }

    /** The segment carrying {@code stream[from, from + length)} of a flow whose stream starts at seq 1000. */
    static Packets.Tcp segment(Packets.Tcp base, byte[] stream, int from, int length) {
        return base.seq(1000 + from).payload(Packets.range(stream, from, from + length));
    }

    byte[] v4(int port, byte[] stream, int from, int length) {
        return segment(Packets.Tcp.v4().ports(port, 5201), stream, from, length).build();
    }

    int coalesce(PacketRefs in) {
        return coalescer.coalesce(in, out);
    }

    @Test
    void interleavedFlowsCoalesceSeparately() {
        byte[] a = Packets.payload(3000, 1);
        byte[] b = Packets.payload(3000, 2);
        PacketRefs in = Batches.of(arena, v4(1, a, 0, 1000), v4(2, b, 0, 1000), v4(1, a, 1000, 1000),
                v4(2, b, 1000, 1000), v4(1, a, 2000, 1000), v4(2, b, 2000, 1000));
        assertEquals(2, coalesce(in));
        Batches.assertCoalesced(out, 0, v4(1, a, 0, 3000), 1000);
        Batches.assertCoalesced(out, 1, v4(2, b, 0, 3000), 1000);
        assertEquals(Batches.HEADROOM - VirtioNetHdr.LENGTH, out.offset(0));
        assertEquals(in.buffer(0), out.buffer(0));
        assertEquals(in.buffer(1), out.buffer(1));
    }

    @Test
    void aSequenceGapBreaksCoalescing() {
        byte[] a = Packets.payload(3000, 3);
        byte[] first = v4(1, a, 0, 1000);
        byte[] third = v4(1, a, 2000, 1000);
        assertEquals(2, coalesce(Batches.of(arena, first, third)));
        Batches.assertAlone(out, 0, first);
        Batches.assertAlone(out, 1, third);
    }

    @Test
    void aDifferentAckBreaksCoalescing() {
        byte[] a = Packets.payload(2000, 4);
        byte[] first = v4(1, a, 0, 1000);
        byte[] second = segment(Packets.Tcp.v4().ports(1, 5201).ack(7778), a, 1000, 1000).build();
        assertEquals(2, coalesce(Batches.of(arena, first, second)));
        Batches.assertAlone(out, 0, first);
        Batches.assertAlone(out, 1, second);
    }

    @Test
    void differentTtlOrOptionsBreakCoalescing() {
        byte[] a = Packets.payload(3000, 5);
        byte[] first = segment(Packets.Tcp.v4().options(Packets.TIMESTAMPS), a, 0, 1000).build();
        byte[] otherTtl = segment(Packets.Tcp.v4().options(Packets.TIMESTAMPS).ttl(63), a, 1000, 1000).build();
        byte[] ts = Packets.TIMESTAMPS.clone();
        ts[11]++;
        byte[] otherOptions = segment(Packets.Tcp.v4().options(ts), a, 1000, 1000).build();
        assertEquals(2, coalesce(Batches.of(arena, first, otherTtl)));
        Batches.assertAlone(out, 1, otherTtl);
        assertEquals(2, coalesce(Batches.of(arena, first, otherOptions)));
        Batches.assertAlone(out, 0, first);
        Batches.assertAlone(out, 1, otherOptions);
    }

    @Test
    void nonTcpPassesThroughInPlace() {
        byte[] a = Packets.payload(2000, 6);
        byte[] udp = Packets.udp4(Packets.payload(50, 7));
        byte[] icmp = Packets.icmp4();
        assertEquals(3, coalesce(Batches.of(arena, udp, v4(1, a, 0, 1000), icmp, v4(1, a, 1000, 1000))));
        Batches.assertAlone(out, 0, udp);
        Batches.assertCoalesced(out, 1, v4(1, a, 0, 2000), 1000);
        Batches.assertAlone(out, 2, icmp);
    }

    @Test
    void aShorterSegmentEndsTheMerge() {
        byte[] a = Packets.payload(2500, 8);
        byte[] after = v4(1, a, 1500, 1000);
        assertEquals(2, coalesce(Batches.of(arena, v4(1, a, 0, 1000), v4(1, a, 1000, 500), after)));
        Batches.assertCoalesced(out, 0, v4(1, a, 0, 1500), 1000);
        Batches.assertAlone(out, 1, after);
    }

    @Test
    void aLongerSegmentIsNotMerged() {
        byte[] a = Packets.payload(1500, 9);
        byte[] first = v4(1, a, 0, 500);
        byte[] longer = v4(1, a, 500, 1000);
        assertEquals(2, coalesce(Batches.of(arena, first, longer)));
        Batches.assertAlone(out, 0, first);
    }

    @Test
    void pshEndsTheMergeAndIsKept() {
        byte[] a = Packets.payload(3000, 10);
        byte[] second = segment(Packets.Tcp.v4().flags(ACK | PSH), a, 1000, 1000).build();
        byte[] third = segment(Packets.Tcp.v4(), a, 2000, 1000).build();
        assertEquals(2, coalesce(Batches.of(arena, segment(Packets.Tcp.v4(), a, 0, 1000).build(), second, third)));
        Batches.assertCoalesced(out, 0, segment(Packets.Tcp.v4().flags(ACK | PSH), a, 0, 2000).build(), 1000);
        Batches.assertAlone(out, 1, third);
    }

    @Test
    void synFinAndPureAcksAreNotMergedAndKeepTheirPlace() {
        byte[] a = Packets.payload(2000, 11);
        byte[] pureAck = Packets.Tcp.v4().ports(1, 5201).seq(2000).build();
        byte[] fin = segment(Packets.Tcp.v4().ports(1, 5201).flags(ACK | FIN), a, 1000, 1000).build();
        byte[] syn = Packets.Tcp.v4().ports(1, 5201).flags(SYN).build();
        byte[] first = v4(1, a, 0, 1000);
        byte[] second = v4(1, a, 1000, 1000);
        assertEquals(3, coalesce(Batches.of(arena, first, pureAck, second)));
        Batches.assertAlone(out, 0, first);
        Batches.assertAlone(out, 1, pureAck);
        Batches.assertAlone(out, 2, second);
        assertEquals(2, coalesce(Batches.of(arena, first, fin)));
        Batches.assertAlone(out, 1, fin);
        assertEquals(2, coalesce(Batches.of(arena, syn, first)));
        Batches.assertAlone(out, 0, syn);
    }

    @Test
    void corruptSegmentsAreNeverMerged() {
        byte[] a = Packets.payload(3000, 12);
        byte[] first = v4(1, a, 0, 1000);
        byte[] corrupt = v4(1, a, 1000, 1000);
        corrupt[500] ^= 1;
        byte[] third = v4(1, a, 2000, 1000);
        assertEquals(3, coalesce(Batches.of(arena, first, corrupt, third)));
        Batches.assertAlone(out, 0, first);
        Batches.assertAlone(out, 1, corrupt);
        Batches.assertAlone(out, 2, third);

        byte[] corruptHead = first.clone();
        corruptHead[100] ^= 1;
        assertEquals(2, coalesce(Batches.of(arena, corruptHead, v4(1, a, 1000, 1000), third)));
        Batches.assertAlone(out, 0, corruptHead);
        Batches.assertCoalesced(out, 1, v4(1, a, 1000, 2000), 1000);
    }

    @Test
    void theHeadBufferCapacityBoundsTheMerge() {
        byte[] a = Packets.payload(4000, 13);
        PacketRefs in = new PacketRefs(4);
        in.add(Packets.offHeap(arena, v4(1, a, 0, 1000), Batches.HEADROOM, Batches.HEADROOM + 40 + 2000),
                Batches.HEADROOM, 1040);
        for (int from = 1000; from < 4000; from += 1000) {
            in.add(Packets.offHeap(arena, v4(1, a, from, 1000), Batches.HEADROOM, Batches.ROOMY), Batches.HEADROOM, 1040);
        }
        assertEquals(2, coalesce(in));
        Batches.assertCoalesced(out, 0, v4(1, a, 0, 2000), 1000);
        Batches.assertCoalesced(out, 1, v4(1, a, 2000, 2000), 1000);
        assertEquals(in.buffer(2), out.buffer(1));
    }

    @Test
    void theIpv4TotalLengthBoundsTheMerge() {
        int mss = 1460;
        byte[] a = Packets.payload(46 * mss, 14);
        byte[][] segments = new byte[46][];
        for (int i = 0; i < 46; i++) {
            segments[i] = v4(1, a, i * mss, mss);
        }
        // 44 segments make a 64280-byte packet; a 45th would take it past 65535.
        assertEquals(2, coalesce(Batches.of(arena, segments)));
        Batches.assertCoalesced(out, 0, v4(1, a, 0, 44 * mss), mss);
        Batches.assertCoalesced(out, 1, v4(1, a, 44 * mss, 2 * mss), mss);
    }

    @Test
    void rejectsUnusableBatchesByReturnCode() {
        byte[] p = Packets.icmp4();
        PacketRefs noHeadroom = new PacketRefs(1);
        noHeadroom.add(Packets.offHeap(arena, p, 9, 100), 9, p.length);
        assertEquals(TcpCoalescer.NO_HEADROOM, coalesce(noHeadroom));
        assertEquals(TcpCoalescer.OUTPUT_TOO_SMALL, coalescer.coalesce(Batches.of(arena, p, p), new PacketRefs(1)));
        assertEquals(TcpCoalescer.BATCH_TOO_LARGE, new TcpCoalescer(1).coalesce(Batches.of(arena, p, p), out));
        assertEquals(0, out.count());
    }
}
