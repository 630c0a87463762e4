package io.dwcp.wireguard.offload;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.dwcp.wireguard.offload.TcpDescriptor.ACK;
import static io.dwcp.wireguard.offload.TcpDescriptor.CWR;
import static io.dwcp.wireguard.offload.TcpDescriptor.FIN;
import static io.dwcp.wireguard.offload.TcpDescriptor.PSH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpSegmenterTest {
    static final int HEADROOM = 16;
    static final int MSS = 1380;
    /** 47 full segments and a 500-byte tail: a 64 KiB-class super-packet with total length 65400 over IPv4. */
    static final int PAYLOAD = 47 * MSS + 500;

    private final Arena arena = Arena.ofConfined();
    private final TcpSegmenter segmenter = new TcpSegmenter();

    @AfterEach
    void close() {
        arena.close();
    }

    PacketRefs slots(int count, int size) {
        PacketRefs batch = new PacketRefs(count);
        for (int i = 0; i < count; i++) {
            batch.slot(i, arena.allocate(size));
        }
        return batch;
    }

    int segment(byte[] input, PacketRefs out) {
        return segmenter.segment(Packets.offHeap(arena, input, 3, input.length + 3), 3, input.length, out, HEADROOM);
    }

    @Test
    void splitsAnIpv4SuperPacketLikeTheKernel() {
        byte[] payload = Packets.payload(PAYLOAD, 4);
        byte[] packet = Packets.Tcp.v4().seq(0xFFFF_F000).ipId(0xFFF0).flags(ACK | PSH | FIN | CWR)
                .payload(payload).build();
        PacketRefs out = slots(64, HEADROOM + 1500);
        assertEquals(48, segment(Packets.tso(packet, MSS), out));
        assertEquals(48, out.count());
        for (int i = 0; i < 48; i++) {
            int dataLength = i < 47 ? MSS : 500;
            assertEquals(HEADROOM, out.offset(i));
            assertEquals(40 + dataLength, out.length(i));
            byte[] p = Packets.bytes(out.buffer(i), out.offset(i), out.length(i));
            assertEquals(40 + dataLength, Packets.u16(p, 2), "total length");
            assertEquals((0xFFF0 + i) & 0xFFFF, Packets.u16(p, 4), "IP ID, wrapping past 0xFFFF");
            assertTrue(Packets.ipv4HeaderValid(p), "IPv4 header checksum " + i);
            assertEquals(0xFFFF_F000 + i * MSS, Packets.i32(p, 24), "sequence number " + i);
            int expectedFlags = ACK | (i == 0 ? CWR : 0) | (i == 47 ? PSH | FIN : 0);
            assertEquals(expectedFlags, p[33] & 0xFF, "flags " + i);
            assertTrue(Packets.tcpValid(p), "TCP checksum " + i);
            assertArrayEquals(Packets.range(payload, i * MSS, i * MSS + dataLength), Packets.range(p, 40, p.length));
            assertArrayEquals(Packets.range(packet, 8, 10), Packets.range(p, 8, 10), "TTL and protocol kept");
        }
    }

    @Test
    void splitsAnIpv6SuperPacketWithOptions() {
        byte[] payload = Packets.payload(10 * MSS - 1, 5);
        byte[] packet = Packets.Tcp.v6().seq(5).options(Packets.TIMESTAMPS).flags(ACK | PSH).payload(payload).build();
        PacketRefs out = slots(10, HEADROOM + 1500);
        assertEquals(10, segment(Packets.tso(packet, MSS), out));
        for (int i = 0; i < 10; i++) {
            int dataLength = i < 9 ? MSS : MSS - 1;
            byte[] p = Packets.bytes(out.buffer(i), HEADROOM, out.length(i));
            assertEquals(72 + dataLength, p.length);
            assertEquals(32 + dataLength, Packets.u16(p, 4), "payload length");
            assertArrayEquals(Packets.range(packet, 0, 4), Packets.range(p, 0, 4), "version, class, flow label");
            assertEquals(5 + i * MSS, Packets.i32(p, 44));
            assertEquals(ACK | (i == 9 ? PSH : 0), p[53] & 0xFF);
            assertArrayEquals(Packets.TIMESTAMPS, Packets.range(p, 60, 72));
            assertTrue(Packets.tcpValid(p), "TCP checksum " + i);
            assertArrayEquals(Packets.range(payload, i * MSS, i * MSS + dataLength), Packets.range(p, 72, p.length));
        }
    }

    @Test
    void ignoresAHdrLenThatSpansTheWholeFirstSegment() {
        byte[] packet = Packets.Tcp.v4().payload(Packets.payload(3000, 6)).build();
        byte[] input = Packets.tso(packet, 1000);
        input[2] = (byte) 0xE8;
        input[3] = 0x03;
        PacketRefs out = slots(3, HEADROOM + 1100);
        assertEquals(3, segment(input, out));
        assertEquals(1040, out.length(0));
    }

    @Test
    void acceptsTheEcnBitOfTheGsoType() {
        byte[] packet = Packets.Tcp.v4().flags(ACK | CWR).payload(Packets.payload(2000, 12)).build();
        byte[] input = Packets.tso(packet, 1000);
        input[1] |= (byte) VirtioNetHdr.GSO_ECN;
        PacketRefs out = slots(2, HEADROOM + 1040);
        assertEquals(2, segment(input, out));
        assertEquals(ACK | CWR, Packets.bytes(out.buffer(0), HEADROOM + 33, 1)[0] & 0xFF);
        assertEquals(ACK, Packets.bytes(out.buffer(1), HEADROOM + 33, 1)[0] & 0xFF);
    }

    @Test
    void completesAPartialChecksumOnASinglePacket() {
        byte[] packet = Packets.Tcp.v4().flags(ACK | PSH).payload(Packets.payload(301, 7)).build();
        byte[] partial = packet.clone();
        Packets.putU16(partial, 36, Packets.fold(Packets.pseudo(partial, partial.length - 20)));
        PacketRefs out = slots(1, HEADROOM + 400);
        assertEquals(1, segment(Packets.withVnet(partial, VirtioNetHdr.F_NEEDS_CSUM, 0, 0, 0, 20, 16), out));
        byte[] p = Packets.bytes(out.buffer(0), HEADROOM, out.length(0));
        assertTrue(Packets.tcpValid(p));
        assertArrayEquals(packet, p);
    }

    @Test
    void completesAUdpChecksum() {
        byte[] packet = Packets.udp4(Packets.payload(99, 8));
        byte[] partial = packet.clone();
        Packets.putU16(partial, 26, Packets.fold(Packets.pseudoWith(partial, 17, partial.length - 20)));
        PacketRefs out = slots(1, HEADROOM + 200);
        assertEquals(1, segment(Packets.withVnet(partial, VirtioNetHdr.F_NEEDS_CSUM, 0, 0, 0, 20, 6), out));
        assertArrayEquals(packet, Packets.bytes(out.buffer(0), HEADROOM, out.length(0)));
    }

    @Test
    void copiesAPlainPacketUnchanged() {
        byte[] packet = Packets.icmp4();
        PacketRefs out = slots(1, HEADROOM + packet.length);
        assertEquals(1, segment(Packets.withVnet(packet, 0, 0, 0, 0, 0, 0), out));
        assertArrayEquals(packet, Packets.bytes(out.buffer(0), HEADROOM, out.length(0)));
    }

    @Test
    void rejectsMalformedInputByReturnCode() {
        byte[] packet = Packets.Tcp.v4().payload(Packets.payload(4000, 9)).build();
        PacketRefs out = slots(8, HEADROOM + 1500);
        assertEquals(TcpSegmenter.MALFORMED, segment(new byte[10], out), "header only");
        assertEquals(TcpSegmenter.MALFORMED, segment(Packets.tso(packet, 0), out), "gso_size 0");

        byte[] truncatedTcp = tcpv4Gso(Packets.range(packet, 0, 30));
        Packets.putU16(truncatedTcp, 12, 30);
        assertEquals(TcpSegmenter.MALFORMED, segment(truncatedTcp, out), "TCP header cut");

        byte[] dataOffsetBeyond = tcpv4Gso(Packets.range(packet, 0, 50));
        Packets.putU16(dataOffsetBeyond, 12, 50);
        dataOffsetBeyond[10 + 32] = (byte) 0xF0;
        assertEquals(TcpSegmenter.MALFORMED, segment(dataOffsetBeyond, out), "data offset beyond the packet");

        byte[] wrongTotal = Packets.tso(packet, 1000);
        Packets.putU16(wrongTotal, 12, packet.length + 1);
        assertEquals(TcpSegmenter.MALFORMED, segment(wrongTotal, out), "IPv4 total length disagrees");

        byte[] ihlBeyond = tcpv4Gso(Packets.range(packet, 0, 20));
        ihlBeyond[10] = 0x4F;
        Packets.putU16(ihlBeyond, 12, 20);
        assertEquals(TcpSegmenter.MALFORMED, segment(ihlBeyond, out), "IHL beyond the packet");

        byte[] noPayload = Packets.tso(Packets.Tcp.v4().build(), 1000);
        assertEquals(TcpSegmenter.MALFORMED, segment(noPayload, out), "no payload to segment");

        byte[] v6AsV4 = Packets.tso(Packets.Tcp.v6().payload(new byte[3000]).build(), 1000);
        v6AsV4[1] = VirtioNetHdr.GSO_TCPV4;
        assertEquals(TcpSegmenter.MALFORMED, segment(v6AsV4, out), "GSO type disagrees with IP version");

        byte[] csumOutside = Packets.withVnet(Packets.icmp4(), VirtioNetHdr.F_NEEDS_CSUM, 0, 0, 0, 20, 7);
        assertEquals(TcpSegmenter.MALFORMED, segment(csumOutside, out), "checksum field past the end");
        assertEquals(0, out.count());
    }

    /** A TCPv4 GSO header in front of a packet too short for {@link Packets#tso}. */
    static byte[] tcpv4Gso(byte[] packet) {
        return Packets.withVnet(packet, VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, 40, 1000, 20, 16);
    }

    @Test
    void rejectsWhatItCannotDoByReturnCode() {
        byte[] packet = Packets.Tcp.v4().payload(Packets.payload(4000, 10)).build();
        byte[] udpGso = Packets.tso(packet, 1000);
        udpGso[1] = VirtioNetHdr.GSO_UDP_L4;
        assertEquals(TcpSegmenter.UNSUPPORTED, segment(udpGso, slots(8, 1100)));
        assertEquals(TcpSegmenter.TOO_MANY_SEGMENTS, segment(Packets.tso(packet, 1000), slots(3, 2000)));
        assertEquals(TcpSegmenter.SLOT_TOO_SMALL, segment(Packets.tso(packet, 1000), slots(4, HEADROOM + 1039)));
        assertEquals(4, segment(Packets.tso(packet, 1000), slots(4, HEADROOM + 1040)));
    }

    @Test
    void leavesTheInputUnchanged() {
        byte[] input = Packets.tso(Packets.Tcp.v4().payload(Packets.payload(5000, 11)).build(), MSS);
        MemorySegment in = Packets.offHeap(arena, input, 0, input.length);
        assertEquals(4, segmenter.segment(in, 0, input.length, slots(4, 1500), 0));
        assertArrayEquals(input, Packets.bytes(in, 0, input.length));
    }
}
