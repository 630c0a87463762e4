package io.dwcp.wireguard.offload;

import java.lang.foreign.MemorySegment;

/**
 * A reusable, fixed-capacity list of packets, each a (buffer, offset, length) triple. Entries {@code [0, count)}
 * are the packets; a buffer may also be assigned to a slot beyond the count ({@link #slot}) so that a producer such
 * as {@link TcpSegmenter} can fill caller-owned buffers. Nothing is allocated after construction.
 */
public final class PacketRefs {
    private final MemorySegment[] buffers;
    private final long[] offsets;
    private final int[] lengths;
    private int count;

    /** An empty batch of {@code capacity} slots, none with a buffer yet. */
    public PacketRefs(int capacity) {
        buffers = new MemorySegment[capacity];
        offsets = new long[capacity];
        lengths = new int[capacity];
    }

    /** Number of slots. */
    public int capacity() {
        return buffers.length;
    }

    /** Number of packets, entries {@code [0, count)}. */
    public int count() {
        return count;
    }

    /** The buffer of entry or slot {@code index}. */
    public MemorySegment buffer(int index) {
        return buffers[index];
    }

    /** Where entry {@code index} starts in its buffer. */
    public long offset(int index) {
        return offsets[index];
    }

    /** Length in bytes of entry {@code index}. */
    public int length(int index) {
        return lengths[index];
    }

    /** Assigns the buffer a producer writes slot {@code index} into; keeps the count. */
    public PacketRefs slot(int index, MemorySegment buffer) {
        buffers[index] = buffer;
        return this;
    }

    /** Appends a packet; false when the batch is full. */
    public boolean add(MemorySegment buffer, long offset, int length) {
        if (count == buffers.length) {
            return false;
        }
        buffers[count] = buffer;
        offsets[count] = offset;
        lengths[count] = length;
        count++;
        return true;
    }

    /** Forgets the packets but keeps the buffers assigned to the slots. */
    public void clear() {
        count = 0;
    }

    /** Records the packet a producer wrote into the buffer already at slot {@code index}, which becomes the last. */
    void fill(int index, long offset, int length) {
        offsets[index] = offset;
        lengths[index] = length;
        count = index + 1;
    }
}
