package io.dwcp.wireguard.device;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Packets for a peer that has no usable keys yet, kept until a handshake completes: a fixed ring of off-heap slots,
 * the oldest dropped when full (as wireguard-go does with its 128-packet staging queue). Only used while a session
 * is being established, so a lock (the caller's) guards it.
 */
final class StagedPackets implements AutoCloseable {
    /** A staged packet handed back by {@link #drain}. */
    interface Sink {
        void packet(MemorySegment slot, int length);
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment slots;
    private final int[] lengths;
    private final int slotSize;
    private int head;
    private int count;
    private long dropped;

    StagedPackets(int capacity, int slotSize) {
        this.slotSize = slotSize;
        this.slots = arena.allocate((long) capacity * slotSize, 64);
        this.lengths = new int[capacity];
    }

    /** Stages a copy of {@code length} bytes at {@code offset} of {@code packet}; false when it cannot fit a slot. */
    boolean offer(MemorySegment packet, long offset, int length) {
        if (length > slotSize) {
            dropped++;
            return false;
        }
        int capacity = lengths.length;
        if (count == capacity) {
            head = (head + 1) % capacity;
            count--;
            dropped++;
        }
        int slot = (head + count) % capacity;
        MemorySegment.copy(packet, offset, slots, (long) slot * slotSize, length);
        lengths[slot] = length;
        count++;
        return true;
    }

    /** Hands every staged packet to {@code sink} in order and empties the ring. */
    void drain(Sink sink) {
        int capacity = lengths.length;
        while (count > 0) {
            int slot = head;
            head = (head + 1) % capacity;
            count--;
            sink.packet(slots.asSlice((long) slot * slotSize, slotSize), lengths[slot]);
        }
    }

    void clear() {
        head = 0;
        count = 0;
    }

    int size() {
        return count;
    }

    long dropped() {
        return dropped;
    }

    @Override
    public void close() {
        arena.close();
    }
}
