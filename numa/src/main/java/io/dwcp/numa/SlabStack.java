package io.dwcp.numa;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-free Treiber stack of slab indices over a preallocated {@code next} array: push and pop allocate
 * nothing. The head packs a 32-bit ABA tag (bumped on every change) above {@code index + 1} (0 = empty), so a
 * pop that read a stale {@code next} loses its CAS instead of corrupting the stack.
 */
final class SlabStack {
    private static final long INDEX_MASK = 0xFFFF_FFFFL;

    private final int[] next;
    private final AtomicLong head = new AtomicLong();

    SlabStack(int capacity) {
        this.next = new int[capacity];
    }

    void push(int index) {
        long h;
        do {
            h = head.get();
            // Written before the CAS publishes it; a pop seeing this head sees this link.
            next[index] = (int) h;
        } while (!head.compareAndSet(h, tagged(h, index + 1L)));
    }

    /** The index on top, or -1 when empty. */
    int pop() {
        long h;
        int top;
        do {
            h = head.get();
            top = (int) h;
            if (top == 0) {
                return -1;
            }
        } while (!head.compareAndSet(h, tagged(h, next[top - 1] & INDEX_MASK)));
        return top - 1;
    }

    boolean isEmpty() {
        return (int) head.get() == 0;
    }

    private static long tagged(long oldHead, long link) {
        return ((oldHead >>> 32) + 1) << 32 | link;
    }
}
