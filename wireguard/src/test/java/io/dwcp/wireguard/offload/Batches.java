package io.dwcp.wireguard.offload;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Puts test packets into off-heap buffers with headroom, and reads back what the coalescer listed. */
final class Batches {
    static final int HEADROOM = 16;
    static final int ROOMY = HEADROOM + 65_535;

    private Batches() {
    }

    /** Each packet in its own buffer of {@link #ROOMY} bytes at offset {@link #HEADROOM}. */
    static PacketRefs of(Arena arena, byte[]... packets) {
        PacketRefs batch = new PacketRefs(packets.length);
        for (byte[] p : packets) {
            batch.add(Packets.offHeap(arena, p, HEADROOM, ROOMY), HEADROOM, p.length);
        }
        return batch;
    }

    /** The IP packet of output entry {@code i}, without its virtio_net_hdr. */
    static byte[] packet(PacketRefs out, int i) {
        return Packets.bytes(out.buffer(i), out.offset(i) + VirtioNetHdr.LENGTH, out.length(i) - VirtioNetHdr.LENGTH);
    }

    static VirtioNetHdr header(PacketRefs out, int i) {
        return new VirtioNetHdr().wrap(out.buffer(i), out.offset(i));
    }

    /** Entry {@code i} is {@code expected}, unchanged, behind an all-zero virtio_net_hdr. */
    static void assertAlone(PacketRefs out, int i, byte[] expected) {
        assertArrayEquals(new byte[VirtioNetHdr.LENGTH], Packets.bytes(out.buffer(i), out.offset(i), VirtioNetHdr.LENGTH),
                "zero virtio_net_hdr on entry " + i);
        assertArrayEquals(expected, packet(out, i), "entry " + i + " unchanged");
    }

    /**
     * Entry {@code i} is a GSO packet that, once the kernel completes its checksum, is exactly {@code expected}
     * (the super-packet its segments were cut from), with a header for {@code gsoSize} segments.
     */
    static void assertCoalesced(PacketRefs out, int i, byte[] expected, int gsoSize) {
        boolean v6 = expected[0] >> 4 == 6;
        int ipLen = v6 ? 40 : 20;
        int tcpLen = (expected[ipLen + 12] & 0xff) >>> 4 << 2;
        VirtioNetHdr h = header(out, i);
        assertEquals(VirtioNetHdr.F_NEEDS_CSUM, h.flags());
        assertEquals(v6 ? VirtioNetHdr.GSO_TCPV6 : VirtioNetHdr.GSO_TCPV4, h.gsoType());
        assertEquals(ipLen + tcpLen, h.hdrLen());
        assertEquals(gsoSize, h.gsoSize());
        assertEquals(ipLen, h.csumStart());
        assertEquals(16, h.csumOffset());
        byte[] p = packet(out, i);
        assertEquals(expected.length, p.length);
        if (!v6) {
            assertEquals(true, Packets.ipv4HeaderValid(p), "IPv4 header checksum");
        }
        assertEquals(Packets.fold(Packets.pseudo(p, p.length - ipLen)), Packets.u16(p, ipLen + 16),
                "pseudo-header sum, not complemented, in the TCP checksum field");
        // As skb_checksum_help: the sum over the transport part, partial sum in the field as the seed.
        Packets.putU16(p, ipLen + 16, ~Packets.sum(p, ipLen, p.length - ipLen, 0));
        assertArrayEquals(expected, p, "after checksum completion, entry " + i + " is the super-packet");
    }
}
