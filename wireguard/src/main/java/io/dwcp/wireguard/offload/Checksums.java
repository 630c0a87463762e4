package io.dwcp.wireguard.offload;

import java.lang.foreign.MemorySegment;

/**
 * The Internet checksum (RFC 1071) over segments. A "sum" here is an unfolded accumulator: sums of ranges and
 * pseudo-headers can be chained through {@code initial} and are folded to 16 bits only at the end, by
 * {@link #fold(long)} (the one's complement sum) or {@link #finish(long)} (its complement, the value a header
 * carries). Accumulators stay far below overflow for any int-sized range and a handful of chained sums.
 */
public final class Checksums {
    private static final long LOW32 = 0xFFFF_FFFFL;

    private Checksums() {
    }

    /** Adds the big-endian 16-bit words of {@code [offset, offset + length)} to {@code initial}; an odd tail byte is padded with zero. */
    public static long sum(MemorySegment segment, long offset, int length, long initial) {
        long acc = initial;
        long p = offset;
        long end = offset + length;
        // 2^32 = 1 mod 0xFFFF, so adding the two 32-bit halves of each 64-bit word is the same sum as its four
        // 16-bit words; four loads per round let the CPU overlap them.
        for (; end - p >= 32; p += 32) {
            long a = NetworkOrder.i64(segment, p);
            long b = NetworkOrder.i64(segment, p + 8);
            long c = NetworkOrder.i64(segment, p + 16);
            long d = NetworkOrder.i64(segment, p + 24);
            acc += (a >>> 32) + (a & LOW32) + (b >>> 32) + (b & LOW32)
                    + (c >>> 32) + (c & LOW32) + (d >>> 32) + (d & LOW32);
        }
        for (; end - p >= 8; p += 8) {
            long a = NetworkOrder.i64(segment, p);
            acc += (a >>> 32) + (a & LOW32);
        }
        if (end - p >= 4) {
            acc += NetworkOrder.i32(segment, p) & LOW32;
            p += 4;
        }
        if (end - p >= 2) {
            acc += NetworkOrder.u16(segment, p);
            p += 2;
        }
        if (p < end) {
            acc += (long) NetworkOrder.u8(segment, p) << 8;
        }
        return acc;
    }

    /** One's complement sum of the accumulator in 16 bits (end-around carries folded in). */
    public static int fold(long sum) {
        long s = (sum & LOW32) + (sum >>> 32);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int) s;
    }

    /** The checksum to store in a header: the complement of {@link #fold(long)}. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /** Sum of the IPv4 pseudo-header of the IPv4 packet at {@code ipOffset}, for an upper-layer length {@code l4Length}. */
    public static long pseudoHeaderIpv4(MemorySegment segment, long ipOffset, int protocol, int l4Length) {
        return sum(segment, ipOffset + Ipv4Descriptor.SOURCE_OFFSET, Ipv4Descriptor.ADDRESSES_LENGTH,
                (long) protocol + l4Length);
    }

    /** Sum of the IPv6 pseudo-header (RFC 8200 8.1) of the IPv6 packet at {@code ipOffset}. */
    public static long pseudoHeaderIpv6(MemorySegment segment, long ipOffset, int protocol, int l4Length) {
        return sum(segment, ipOffset + Ipv6Descriptor.SOURCE_OFFSET, Ipv6Descriptor.ADDRESSES_LENGTH,
                (long) protocol + l4Length);
    }

    /** Pseudo-header sum for either IP version. */
    public static long pseudoHeader(MemorySegment segment, long ipOffset, boolean ipv6, int protocol, int l4Length) {
        return ipv6 ? pseudoHeaderIpv6(segment, ipOffset, protocol, l4Length)
                : pseudoHeaderIpv4(segment, ipOffset, protocol, l4Length);
    }

    /**
     * Whether the transport checksum of the packet at {@code ipOffset} verifies: pseudo-header plus the whole
     * transport segment {@code [ipOffset + ipHeaderLength, ipOffset + packetLength)}, checksum field included.
     */
    public static boolean transportValid(MemorySegment segment, long ipOffset, boolean ipv6, int protocol,
                                         int ipHeaderLength, int packetLength) {
        int l4Length = packetLength - ipHeaderLength;
        long pseudo = pseudoHeader(segment, ipOffset, ipv6, protocol, l4Length);
        return fold(sum(segment, ipOffset + ipHeaderLength, l4Length, pseudo)) == 0xFFFF;
    }

    /** Recomputes the IPv4 header checksum in place over {@code headerLength} bytes. */
    public static void updateIpv4Header(MemorySegment segment, long ipOffset, int headerLength) {
        NetworkOrder.u16(segment, ipOffset + Ipv4Descriptor.CHECKSUM_OFFSET, 0);
        NetworkOrder.u16(segment, ipOffset + Ipv4Descriptor.CHECKSUM_OFFSET,
                finish(sum(segment, ipOffset, headerLength, 0)));
    }
}
