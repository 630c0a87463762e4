package io.dwcp.wireguard.offload;

import java.lang.foreign.MemorySegment;

import static io.dwcp.wireguard.offload.NetworkOrder.i32;
import static io.dwcp.wireguard.offload.NetworkOrder.u16;
import static io.dwcp.wireguard.offload.NetworkOrder.u8;

/**
 * TUN read side: turns one {@code [virtio_net_hdr][IP packet]} read from the TUN into ready-to-encrypt IP packets,
 * splitting TCP super-packets (TSO) into {@code gso_size} segments the way the kernel's tcp_gso_segment would, and
 * completing a partial checksum on a single packet. Output packet {@code i} is written into
 * {@code out.buffer(i)} at offset {@code headroom}, leaving room for the WireGuard transport header in front.
 * Not thread-safe (one flyweight per instance); allocation-free.
 */
public final class TcpSegmenter {
    /** Headers or lengths inconsistent, gso_size 0, a checksum position outside the packet. */
    public static final int MALFORMED = -1;
    /** A GSO type other than TCPv4/TCPv6 (UDP fragmentation offload, USO), or a TCP GSO type over a non-TCP packet. */
    public static final int UNSUPPORTED = -2;
    /** More segments than {@code out} has slots. */
    public static final int TOO_MANY_SEGMENTS = -3;
    /** An output slot has no buffer or is smaller than headroom plus its packet. */
    public static final int SLOT_TOO_SMALL = -4;

    private final VirtioNetHdr vnet = new VirtioNetHdr();

    /**
     * Segments {@code [offset, offset + length)} of {@code in}: a virtio_net_hdr followed by the packet. On success
     * returns the number of packets written to {@code out} (also its count), each at offset {@code headroom} of
     * the slot's buffer, with complete IP and TCP checksums. On failure returns a negative code, {@code out} is
     * empty and {@code in} is unchanged. The input is never modified.
     */
    public int segment(MemorySegment in, long offset, int length, PacketRefs out, int headroom) {
        if (headroom < 0) {
            throw new IllegalArgumentException("negative headroom " + headroom);
        }
        out.clear();
        if (length <= VirtioNetHdr.LENGTH) {
            return MALFORMED;
        }
        vnet.wrap(in, offset);
        long ip = offset + VirtioNetHdr.LENGTH;
        int packetLength = length - VirtioNetHdr.LENGTH;
        // The ECN bit only says the first segment carries CWR; clearing CWR on later segments handles it.
        int gsoType = vnet.gsoType() & ~VirtioNetHdr.GSO_ECN;
        if (gsoType == VirtioNetHdr.GSO_NONE) {
            return single(in, ip, packetLength, out, headroom);
        }
        if (gsoType != VirtioNetHdr.GSO_TCPV4 && gsoType != VirtioNetHdr.GSO_TCPV6) {
            return UNSUPPORTED;
        }
        boolean ipv6 = gsoType == VirtioNetHdr.GSO_TCPV6;
        int ipHeaderLength = ipv6 ? ipv6HeaderLength(in, ip, packetLength) : ipv4HeaderLength(in, ip, packetLength);
        if (ipHeaderLength < 0) {
            return ipHeaderLength;
        }
        // hdr_len is only a hint (on the forwarding path it can span the whole first segment): the packet decides.
        if (packetLength < ipHeaderLength + TcpDescriptor.MIN_HEADER_LENGTH) {
            return MALFORMED;
        }
        long tcp = ip + ipHeaderLength;
        int tcpHeaderLength = (u8(in, tcp + TcpDescriptor.DATA_OFFSET_OFFSET) >>> 4) * 4;
        int headersLength = ipHeaderLength + tcpHeaderLength;
        int payload = packetLength - headersLength;
        int gsoSize = vnet.gsoSize();
        if (tcpHeaderLength < TcpDescriptor.MIN_HEADER_LENGTH || payload <= 0 || gsoSize == 0) {
            return MALFORMED;
        }
        int segments = (payload + gsoSize - 1) / gsoSize;
        if (segments > out.capacity()) {
            return TOO_MANY_SEGMENTS;
        }
        for (int i = 0; i < segments; i++) {
            if (!fits(out.buffer(i), headroom, headersLength + Math.min(gsoSize, payload - i * gsoSize))) {
                return SLOT_TOO_SMALL;
            }
        }
        int firstSeq = i32(in, tcp + TcpDescriptor.SEQUENCE_OFFSET);
        int firstId = ipv6 ? 0 : u16(in, ip + Ipv4Descriptor.ID_OFFSET);
        int flags = u8(in, tcp + TcpDescriptor.FLAGS_OFFSET);
        long pseudoAddresses = Checksums.pseudoHeader(in, ip, ipv6, TcpDescriptor.PROTOCOL, 0);
        for (int i = 0; i < segments; i++) {
            int dataLength = Math.min(gsoSize, payload - i * gsoSize);
            int segmentLength = headersLength + dataLength;
            MemorySegment o = out.buffer(i);
            MemorySegment.copy(in, ip, o, headroom, headersLength);
            MemorySegment.copy(in, ip + headersLength + (long) i * gsoSize, o, headroom + headersLength, dataLength);
            if (ipv6) {
                u16(o, headroom + Ipv6Descriptor.PAYLOAD_LENGTH_OFFSET, segmentLength - Ipv6Descriptor.HEADER_LENGTH);
            } else {
                u16(o, headroom + Ipv4Descriptor.TOTAL_LENGTH_OFFSET, segmentLength);
                u16(o, headroom + Ipv4Descriptor.ID_OFFSET, firstId + i);
                Checksums.updateIpv4Header(o, headroom, ipHeaderLength);
            }
            long oTcp = headroom + ipHeaderLength;
            i32(o, oTcp + TcpDescriptor.SEQUENCE_OFFSET, firstSeq + i * gsoSize);
            int segmentFlags = flags;
            if (i > 0) {
                segmentFlags &= ~TcpDescriptor.CWR;
            }
            if (i < segments - 1) {
                segmentFlags &= ~(TcpDescriptor.FIN | TcpDescriptor.PSH);
            }
            NetworkOrder.u8(o, oTcp + TcpDescriptor.FLAGS_OFFSET, segmentFlags);
            u16(o, oTcp + TcpDescriptor.CHECKSUM_OFFSET, 0);
            int l4Length = segmentLength - ipHeaderLength;
            long sum = Checksums.sum(o, oTcp, l4Length, pseudoAddresses + l4Length);
            u16(o, oTcp + TcpDescriptor.CHECKSUM_OFFSET, Checksums.finish(sum));
            out.fill(i, headroom, segmentLength);
        }
        return segments;
    }

    private int single(MemorySegment in, long ip, int packetLength, PacketRefs out, int headroom) {
        boolean needsChecksum = (vnet.flags() & VirtioNetHdr.F_NEEDS_CSUM) != 0;
        int csumStart = vnet.csumStart();
        int csumAt = csumStart + vnet.csumOffset();
        if (needsChecksum && csumAt + 2 > packetLength) {
            return MALFORMED;
        }
        if (out.capacity() == 0) {
            return TOO_MANY_SEGMENTS;
        }
        MemorySegment o = out.buffer(0);
        if (!fits(o, headroom, packetLength)) {
            return SLOT_TOO_SMALL;
        }
        MemorySegment.copy(in, ip, o, headroom, packetLength);
        if (needsChecksum) {
            // The kernel left the pseudo-header sum in the checksum field: it seeds the sum over the transport part.
            long at = headroom + csumAt;
            int pseudo = u16(o, at);
            u16(o, at, 0);
            int checksum = Checksums.finish(Checksums.sum(o, headroom + csumStart, packetLength - csumStart, pseudo));
            // As skb_checksum_help: 0 would mean "no checksum" to UDP; 0xFFFF is the same value in one's complement.
            u16(o, at, checksum == 0 ? 0xFFFF : checksum);
        }
        out.fill(0, headroom, packetLength);
        return 1;
    }

    private static int ipv4HeaderLength(MemorySegment in, long ip, int packetLength) {
        if (packetLength < Ipv4Descriptor.MIN_HEADER_LENGTH
                || u8(in, ip + Ipv4Descriptor.VERSION_IHL_OFFSET) >>> 4 != Ipv4Descriptor.VERSION) {
            return MALFORMED;
        }
        int headerLength = (u8(in, ip + Ipv4Descriptor.VERSION_IHL_OFFSET) & 0x0F) * 4;
        int fragment = u16(in, ip + Ipv4Descriptor.FLAGS_FRAGMENT_OFFSET);
        if (headerLength < Ipv4Descriptor.MIN_HEADER_LENGTH || headerLength > packetLength
                || u16(in, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET) != packetLength
                || (fragment & (Ipv4Descriptor.FLAG_MF | Ipv4Descriptor.FRAGMENT_OFFSET_MASK)) != 0) {
            return MALFORMED;
        }
        return u8(in, ip + Ipv4Descriptor.PROTOCOL_OFFSET) == TcpDescriptor.PROTOCOL ? headerLength : UNSUPPORTED;
    }

    private static int ipv6HeaderLength(MemorySegment in, long ip, int packetLength) {
        if (packetLength < Ipv6Descriptor.HEADER_LENGTH
                || u8(in, ip + Ipv6Descriptor.VERSION_CLASS_FLOW_OFFSET) >>> 4 != Ipv6Descriptor.VERSION
                || u16(in, ip + Ipv6Descriptor.PAYLOAD_LENGTH_OFFSET) != packetLength - Ipv6Descriptor.HEADER_LENGTH) {
            return MALFORMED;
        }
        // Extension headers before TCP are not walked: the kernel does not emit them on TSO packets of its own.
        return u8(in, ip + Ipv6Descriptor.NEXT_HEADER_OFFSET) == TcpDescriptor.PROTOCOL
                ? Ipv6Descriptor.HEADER_LENGTH : UNSUPPORTED;
    }

    private static boolean fits(MemorySegment buffer, int headroom, int packetLength) {
        return buffer != null && buffer.byteSize() >= (long) headroom + packetLength;
    }
}
