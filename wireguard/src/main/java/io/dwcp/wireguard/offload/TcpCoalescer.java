package io.dwcp.wireguard.offload;

import java.lang.foreign.MemorySegment;

import static io.dwcp.wireguard.offload.NetworkOrder.i32;
import static io.dwcp.wireguard.offload.NetworkOrder.u16;
import static io.dwcp.wireguard.offload.NetworkOrder.u8;

/**
 * TUN write side ("GRO in userspace"): merges consecutive in-order TCP segments of a flow in a batch of decrypted
 * IP packets into GSO super-packets and puts a virtio_net_hdr in front of every packet to write.
 *
 * <p>Rules, as wireguard-go and the kernel's tcp_gro_receive: a segment joins its flow's newest packet when it is
 * IPv4 without options or fragmentation, or IPv6 with TCP as next header; its flags are ACK or ACK|PSH and it has
 * payload; its sequence number follows the merged payload; ACK number, TCP header length and option bytes are the
 * same; IPv4 TOS, TTL and DF (IPv6 version/class/flow label word and hop limit) are the same; it is not longer than
 * the first payload; nothing was merged after a PSH or a shorter segment; the result stays within 65535 bytes and
 * the head's buffer; and both TCP checksums verify (the kernel recomputes the merged one, so a corrupt segment
 * must not be laundered). The window is not compared (neither does the kernel): the head's is kept. Only the newest
 * packet of a flow is a merge target, and any unmergeable TCP packet of the flow closes it, so no flow's packets
 * are reordered.
 *
 * <p>Not thread-safe; allocation-free after construction.
 */
public final class TcpCoalescer {
    /** A packet has fewer than {@link VirtioNetHdr#LENGTH} bytes before it in its buffer. */
    public static final int NO_HEADROOM = -1;
    /** The output batch has fewer slots than the input has packets. */
    public static final int OUTPUT_TOO_SMALL = -2;
    /** More packets than this coalescer was sized for. */
    public static final int BATCH_TOO_LARGE = -3;

    private static final int NOT_TCP = 0;
    private static final int TCP_OTHER = 1;
    private static final int CANDIDATE = 2;

    // itemOfPacket values besides an item number: written as it is, or merged into an earlier packet.
    private static final int ALONE = -1;
    private static final int ABSORBED = -2;

    private final TcpFlowTable flows;
    private final VirtioNetHdr vnet = new VirtioNetHdr();
    private final int[] itemOfPacket;
    private final int[] itemPacket;
    private final int[] itemGsoSize;
    private final int[] itemNextSeq;
    private final int[] itemLength;
    private final int[] itemMerged;
    private final boolean[] itemOpen;

    // The packet being looked at, filled by classify().
    private boolean ipv6;
    private int ipHeaderLength;
    private int tcpHeaderLength;
    private int flags;

    /** A coalescer for batches of up to {@code maxBatch} packets. */
    public TcpCoalescer(int maxBatch) {
        flows = new TcpFlowTable(maxBatch);
        itemOfPacket = new int[maxBatch];
        itemPacket = new int[maxBatch];
        itemGsoSize = new int[maxBatch];
        itemNextSeq = new int[maxBatch];
        itemLength = new int[maxBatch];
        itemMerged = new int[maxBatch];
        itemOpen = new boolean[maxBatch];
    }

    /**
     * Coalesces {@code in} (each packet at its offset, with at least 10 writable bytes before it; the capacity of
     * a packet's buffer from its offset bounds what may be merged into it) and lists the packets to write, in
     * order of their first segment's arrival, in {@code out}: each entry starts at its virtio_net_hdr, i.e.
     * {@code in.offset(i) - 10}. Merged packets' buffers get the payloads of the ones they absorbed, which are not
     * listed and whose buffers are free again. Returns the number of packets in {@code out}, or a negative code
     * with {@code in} untouched.
     */
    public int coalesce(PacketRefs in, PacketRefs out) {
        int count = in.count();
        out.clear();
        if (count > itemOfPacket.length) {
            return BATCH_TOO_LARGE;
        }
        if (out.capacity() < count) {
            return OUTPUT_TOO_SMALL;
        }
        for (int i = 0; i < count; i++) {
            if (in.offset(i) < VirtioNetHdr.LENGTH) {
                return NO_HEADROOM;
            }
        }
        flows.reset();
        int items = 0;
        for (int i = 0; i < count; i++) {
            itemOfPacket[i] = ALONE;
            MemorySegment s = in.buffer(i);
            long ip = in.offset(i);
            int kind = classify(s, ip, in.length(i));
            if (kind == NOT_TCP) {
                continue;
            }
            long tcp = ip + ipHeaderLength;
            int slot = flows.find(s, ip, tcp, ipv6);
            boolean known = flows.occupied(slot);
            if (kind == TCP_OTHER) {
                if (known) {
                    itemOpen[flows.value(slot)] = false;
                }
                continue;
            }
            if (known && append(flows.value(slot), in, i)) {
                itemOfPacket[i] = ABSORBED;
                continue;
            }
            int item = items++;
            itemOfPacket[i] = item;
            itemPacket[item] = i;
            int payload = in.length(i) - ipHeaderLength - tcpHeaderLength;
            itemGsoSize[item] = payload;
            itemNextSeq[item] = i32(s, tcp + TcpDescriptor.SEQUENCE_OFFSET) + payload;
            itemLength[item] = in.length(i);
            itemMerged[item] = 0;
            itemOpen[item] = (flags & TcpDescriptor.PSH) == 0;
            flows.put(slot, s, ip, tcp, ipv6, item);
        }
        for (int i = 0; i < count; i++) {
            int item = itemOfPacket[i];
            if (item == ABSORBED) {
                continue;
            }
            long ip = in.offset(i);
            if (item >= 0 && itemMerged[item] > 0) {
                finish(in.buffer(i), ip, item);
                out.add(in.buffer(i), ip - VirtioNetHdr.LENGTH, itemLength[item] + VirtioNetHdr.LENGTH);
            } else {
                vnet.wrap(in.buffer(i), ip - VirtioNetHdr.LENGTH).clear();
                out.add(in.buffer(i), ip - VirtioNetHdr.LENGTH, in.length(i) + VirtioNetHdr.LENGTH);
            }
        }
        return out.count();
    }

    /** Sorts a packet into NOT_TCP, TCP_OTHER (flow known, never merged) or CANDIDATE; fills the header fields. */
    private int classify(MemorySegment s, long ip, int length) {
        if (length < Ipv4Descriptor.MIN_HEADER_LENGTH + TcpDescriptor.MIN_HEADER_LENGTH) {
            return NOT_TCP;
        }
        int version = u8(s, ip) >>> 4;
        boolean options;
        if (version == Ipv4Descriptor.VERSION) {
            ipv6 = false;
            ipHeaderLength = (u8(s, ip) & 0x0F) * 4;
            int fragment = u16(s, ip + Ipv4Descriptor.FLAGS_FRAGMENT_OFFSET);
            if (u8(s, ip + Ipv4Descriptor.PROTOCOL_OFFSET) != TcpDescriptor.PROTOCOL
                    || ipHeaderLength < Ipv4Descriptor.MIN_HEADER_LENGTH
                    || u16(s, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET) != length
                    || (fragment & (Ipv4Descriptor.FLAG_MF | Ipv4Descriptor.FRAGMENT_OFFSET_MASK)) != 0) {
                return NOT_TCP;
            }
            options = ipHeaderLength != Ipv4Descriptor.MIN_HEADER_LENGTH;
        } else if (version == Ipv6Descriptor.VERSION) {
            ipv6 = true;
            ipHeaderLength = Ipv6Descriptor.HEADER_LENGTH;
            if (u8(s, ip + Ipv6Descriptor.NEXT_HEADER_OFFSET) != TcpDescriptor.PROTOCOL
                    || u16(s, ip + Ipv6Descriptor.PAYLOAD_LENGTH_OFFSET) != length - Ipv6Descriptor.HEADER_LENGTH) {
                return NOT_TCP;
            }
            options = false;
        } else {
            return NOT_TCP;
        }
        if (length < ipHeaderLength + TcpDescriptor.MIN_HEADER_LENGTH) {
            return NOT_TCP;
        }
        long tcp = ip + ipHeaderLength;
        tcpHeaderLength = (u8(s, tcp + TcpDescriptor.DATA_OFFSET_OFFSET) >>> 4) * 4;
        flags = u8(s, tcp + TcpDescriptor.FLAGS_OFFSET);
        boolean mergeable = !options
                && tcpHeaderLength >= TcpDescriptor.MIN_HEADER_LENGTH
                && length > ipHeaderLength + tcpHeaderLength
                && (flags == TcpDescriptor.ACK || flags == (TcpDescriptor.ACK | TcpDescriptor.PSH));
        return mergeable ? CANDIDATE : TCP_OTHER;
    }

    /** Appends packet {@code i} (just classified) to {@code item} if every rule allows; false leaves both as they were. */
    private boolean append(int item, PacketRefs in, int i) {
        if (!itemOpen[item]) {
            return false;
        }
        MemorySegment s = in.buffer(i);
        long ip = in.offset(i);
        long tcp = ip + ipHeaderLength;
        int head = itemPacket[item];
        MemorySegment h = in.buffer(head);
        long hIp = in.offset(head);
        long hTcp = hIp + ipHeaderLength;
        int length = in.length(i);
        int payload = length - ipHeaderLength - tcpHeaderLength;
        int merged = itemLength[item] + payload;
        if (i32(s, tcp + TcpDescriptor.SEQUENCE_OFFSET) != itemNextSeq[item]
                || i32(s, tcp + TcpDescriptor.ACK_OFFSET) != i32(h, hTcp + TcpDescriptor.ACK_OFFSET)
                || tcpHeaderLength != (u8(h, hTcp + TcpDescriptor.DATA_OFFSET_OFFSET) >>> 4) * 4
                || payload > itemGsoSize[item]
                || merged > Ipv4Descriptor.MAX_TOTAL_LENGTH
                || hIp + merged > h.byteSize()
                || !sameIpHeaders(h, hIp, s, ip)
                || MemorySegment.mismatch(h, hTcp + TcpDescriptor.OPTIONS_OFFSET, hTcp + tcpHeaderLength,
                        s, tcp + TcpDescriptor.OPTIONS_OFFSET, tcp + tcpHeaderLength) >= 0) {
            return false;
        }
        if (itemMerged[item] == 0
                && !Checksums.transportValid(h, hIp, ipv6, TcpDescriptor.PROTOCOL, ipHeaderLength, itemLength[item])) {
            itemOpen[item] = false;
            return false;
        }
        if (!Checksums.transportValid(s, ip, ipv6, TcpDescriptor.PROTOCOL, ipHeaderLength, length)) {
            // It becomes the flow's newest packet and fails the same check as a head, so it stays alone.
            return false;
        }
        MemorySegment.copy(s, tcp + tcpHeaderLength, h, hIp + itemLength[item], payload);
        itemLength[item] = merged;
        itemNextSeq[item] += payload;
        itemMerged[item]++;
        if ((flags & TcpDescriptor.PSH) != 0) {
            u8(h, hTcp + TcpDescriptor.FLAGS_OFFSET, TcpDescriptor.ACK | TcpDescriptor.PSH);
            itemOpen[item] = false;
        }
        if (payload < itemGsoSize[item]) {
            itemOpen[item] = false;
        }
        return true;
    }

    private boolean sameIpHeaders(MemorySegment a, long aIp, MemorySegment b, long bIp) {
        if (ipv6) {
            return i32(a, aIp) == i32(b, bIp)
                    && u8(a, aIp + Ipv6Descriptor.HOP_LIMIT_OFFSET) == u8(b, bIp + Ipv6Descriptor.HOP_LIMIT_OFFSET);
        }
        return u8(a, aIp + Ipv4Descriptor.TOS_OFFSET) == u8(b, bIp + Ipv4Descriptor.TOS_OFFSET)
                && u8(a, aIp + Ipv4Descriptor.TTL_OFFSET) == u8(b, bIp + Ipv4Descriptor.TTL_OFFSET)
                // DF and the reserved bit; MF and the fragment offset are zero on every candidate.
                && (u8(a, aIp + Ipv4Descriptor.FLAGS_FRAGMENT_OFFSET) >>> 5) == (u8(b, bIp + Ipv4Descriptor.FLAGS_FRAGMENT_OFFSET) >>> 5);
    }

    /** Turns a head with merged segments into a GSO packet the kernel will resegment, with CHECKSUM_PARTIAL. */
    private void finish(MemorySegment s, long ip, int item) {
        int length = itemLength[item];
        boolean v6 = u8(s, ip) >>> 4 == Ipv6Descriptor.VERSION;
        int ipLength = v6 ? Ipv6Descriptor.HEADER_LENGTH : Ipv4Descriptor.MIN_HEADER_LENGTH;
        long tcp = ip + ipLength;
        if (v6) {
            u16(s, ip + Ipv6Descriptor.PAYLOAD_LENGTH_OFFSET, length - ipLength);
        } else {
            u16(s, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET, length);
            Checksums.updateIpv4Header(s, ip, ipLength);
        }
        int tcpLength = (u8(s, tcp + TcpDescriptor.DATA_OFFSET_OFFSET) >>> 4) * 4;
        vnet.wrap(s, ip - VirtioNetHdr.LENGTH)
                .flags(VirtioNetHdr.F_NEEDS_CSUM)
                .gsoType(v6 ? VirtioNetHdr.GSO_TCPV6 : VirtioNetHdr.GSO_TCPV4)
                .hdrLen(ipLength + tcpLength)
                .gsoSize(itemGsoSize[item])
                .csumStart(ipLength)
                .csumOffset(TcpDescriptor.CHECKSUM_OFFSET);
        // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum, not complemented; the kernel adds the rest.
        u16(s, tcp + TcpDescriptor.CHECKSUM_OFFSET,
                Checksums.fold(Checksums.pseudoHeader(s, ip, v6, TcpDescriptor.PROTOCOL, length - ipLength)));
    }
}
