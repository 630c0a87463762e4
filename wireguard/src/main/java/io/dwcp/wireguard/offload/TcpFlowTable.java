package io.dwcp.wireguard.offload;

import java.lang.foreign.MemorySegment;

/**
 * Per-batch map from a TCP flow (IP version, addresses, ports) to an int, the coalescer's newest item of that flow.
 * Open addressing with linear probing over a power-of-two table at least twice the batch size, so it never fills;
 * keys are not copied but compared against the packet that first inserted them, which stays in place for the batch.
 * {@link #reset()} bumps a generation instead of clearing: a batch costs nothing to forget.
 */
final class TcpFlowTable {
    private final int mask;
    private final int[] generations;
    private final int[] hashes;
    private final int[] values;
    private final MemorySegment[] keySegments;
    private final long[] keyIps;
    private final long[] keyTcps;
    private final boolean[] keyIpv6;
    private int generation = 1;
    private int pendingHash;

    TcpFlowTable(int maxFlows) {
        int size = Integer.highestOneBit(Math.max(2, maxFlows) * 2 - 1) << 1;
        mask = size - 1;
        generations = new int[size];
        hashes = new int[size];
        values = new int[size];
        keySegments = new MemorySegment[size];
        keyIps = new long[size];
        keyTcps = new long[size];
        keyIpv6 = new boolean[size];
    }

    void reset() {
        if (++generation == 0) {
            java.util.Arrays.fill(generations, 0);
            generation = 1;
        }
    }

    /**
     * The slot of the flow of the packet with IP header at {@code ip} and TCP header at {@code tcp}: either holding
     * it ({@link #occupied}) or the free slot {@link #put} would fill. Valid until the next {@code put}.
     */
    int find(MemorySegment segment, long ip, long tcp, boolean ipv6) {
        int hash = hash(segment, ip, tcp, ipv6);
        int slot = hash & mask;
        while (generations[slot] == generation) {
            if (hashes[slot] == hash && sameFlow(slot, segment, ip, tcp, ipv6)) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        pendingHash = hash;
        return slot;
    }

    boolean occupied(int slot) {
        return generations[slot] == generation;
    }

    int value(int slot) {
        return values[slot];
    }

    /** Sets the value of a slot from {@link #find}; a free slot takes the packet's flow as its key. */
    void put(int slot, MemorySegment segment, long ip, long tcp, boolean ipv6, int value) {
        if (generations[slot] != generation) {
            generations[slot] = generation;
            hashes[slot] = pendingHash;
            keySegments[slot] = segment;
            keyIps[slot] = ip;
            keyTcps[slot] = tcp;
            keyIpv6[slot] = ipv6;
        }
        values[slot] = value;
    }

    private boolean sameFlow(int slot, MemorySegment segment, long ip, long tcp, boolean ipv6) {
        if (keyIpv6[slot] != ipv6) {
            return false;
        }
        MemorySegment k = keySegments[slot];
        long kIp = keyIps[slot];
        if (NetworkOrder.i32(k, keyTcps[slot]) != NetworkOrder.i32(segment, tcp)) {
            return false;
        }
        if (!ipv6) {
            return NetworkOrder.i64(k, kIp + Ipv4Descriptor.SOURCE_OFFSET)
                    == NetworkOrder.i64(segment, ip + Ipv4Descriptor.SOURCE_OFFSET);
        }
        for (int i = 0; i < Ipv6Descriptor.ADDRESSES_LENGTH; i += 8) {
            if (NetworkOrder.i64(k, kIp + Ipv6Descriptor.SOURCE_OFFSET + i)
                    != NetworkOrder.i64(segment, ip + Ipv6Descriptor.SOURCE_OFFSET + i)) {
                return false;
            }
        }
        return true;
    }

    private static int hash(MemorySegment segment, long ip, long tcp, boolean ipv6) {
        long h = NetworkOrder.i32(segment, tcp);
        if (ipv6) {
            for (int i = 0; i < Ipv6Descriptor.ADDRESSES_LENGTH; i += 8) {
                h = (h ^ NetworkOrder.i64(segment, ip + Ipv6Descriptor.SOURCE_OFFSET + i)) * 0x9E37_79B9_7F4A_7C15L;
            }
        } else {
            h = (h ^ NetworkOrder.i64(segment, ip + Ipv4Descriptor.SOURCE_OFFSET)) * 0x9E37_79B9_7F4A_7C15L;
        }
        h *= 0x9E37_79B9_7F4A_7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
