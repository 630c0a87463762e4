package io.dwcp.zerocopy;

import java.lang.foreign.MemorySegment;

/**
 * Buffers handed to the kernel, in send order, each with the range of MSG_ZEROCOPY send ids that cover it and
 * how many of those are still outstanding. A buffer comes back out (FIFO) only when none is. Send ids are the
 * kernel's u32 counter; differences are taken in int arithmetic, so wrap-around after 2^32 sends is harmless
 * as long as fewer than 2^31 are in flight.
 */
final class InFlightRing {
    private final MemorySegment[] buffers;
    private final int[] firstId;
    private final int[] ids;
    private final int[] pending;
    private long head;
    private long tail;

    InFlightRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity=" + capacity);
        }
        buffers = new MemorySegment[capacity];
        firstId = new int[capacity];
        ids = new int[capacity];
        pending = new int[capacity];
    }

    boolean isFull() {
        return tail - head == buffers.length;
    }

    int size() {
        return (int) (tail - head);
    }

    private int slot(long ticket) {
        return (int) (ticket % buffers.length);
    }

    /** Adds a buffer covered by {@code count} send ids from {@code first} (0: already complete); its ticket. */
    long add(MemorySegment buffer, int first, int count) {
        if (isFull()) {
            throw new IllegalStateException("reason=in-flight-full capacity=" + buffers.length);
        }
        int i = slot(tail);
        buffers[i] = buffer;
        firstId[i] = first;
        ids[i] = count;
        pending[i] = count;
        return tail++;
    }

    /** Records the kernel's completion of send ids {@code lo..hi} (inclusive). */
    void complete(int lo, int hi) {
        for (long t = head; t < tail; t++) {
            int i = slot(t);
            if (pending[i] == 0) {
                continue;
            }
            long start = Math.max(0, lo - firstId[i]);
            long end = Math.min(ids[i] - 1L, hi - firstId[i]);
            if (end >= start) {
                pending[i] -= (int) (end - start + 1);
            }
        }
    }

    boolean isCompleted(long ticket) {
        if (ticket < head) {
            return true;
        }
        return ticket < tail && pending[slot(ticket)] == 0;
    }

    /** The oldest buffer if all its sends completed, else null. */
    MemorySegment poll() {
        if (head == tail) {
            return null;
        }
        int i = slot(head);
        if (pending[i] != 0) {
            return null;
        }
        MemorySegment b = buffers[i];
        buffers[i] = null;
        head++;
        return b;
    }

    /** True when the oldest buffer is ready for {@link #poll()}. */
    boolean headCompleted() {
        return head != tail && pending[slot(head)] == 0;
    }
}
