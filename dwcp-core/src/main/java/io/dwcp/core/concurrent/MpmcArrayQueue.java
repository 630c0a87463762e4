package io.dwcp.core.concurrent;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded multi-producer, multi-consumer queue over preallocated arrays (Vyukov's design: each cell carries a
 * sequence number that says whose turn it is). {@link #offer} and {@link #poll} never block, never lock and never
 * allocate, unlike {@code ArrayBlockingQueue}, whose waits allocate a node each time a thread blocks. Callers that
 * must wait spin briefly and park ({@link #pollWaiting}, or their own loop).
 *
 * <pre>
 *   cell i:  sequence == pos      free, a producer at pos may fill it
 *            sequence == pos + 1  full, the consumer at pos may take it
 * </pre>
 */
public final class MpmcArrayQueue<E> {
    private final int mask;
    private final AtomicReferenceArray<E> elements;
    private final AtomicLongArray sequences;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();

    /** @param capacity rounded up to a power of two, at least 2 */
    public MpmcArrayQueue(int capacity) {
        int size = Integer.highestOneBit(Math.max(2, capacity) - 1) << 1;
        this.mask = size - 1;
        this.elements = new AtomicReferenceArray<>(size);
        this.sequences = new AtomicLongArray(size);
        for (int i = 0; i < size; i++) {
            sequences.set(i, i);
        }
    }

    public int capacity() {
        return mask + 1;
    }

    /** Adds {@code e} unless the queue is full. */
    public boolean offer(E e) {
        if (e == null) {
            throw new NullPointerException("element");
        }
        while (true) {
            long pos = tail.get();
            int cell = (int) pos & mask;
            long diff = sequences.get(cell) - pos;
            if (diff == 0) {
                if (tail.compareAndSet(pos, pos + 1)) {
                    elements.lazySet(cell, e);
                    sequences.set(cell, pos + 1);
                    return true;
                }
            } else if (diff < 0) {
                return false; // full
            }
            // else another producer took this position: reread the tail
        }
    }

    /** The oldest element, or null when the queue is empty. */
    public E poll() {
        while (true) {
            long pos = head.get();
            int cell = (int) pos & mask;
            long diff = sequences.get(cell) - (pos + 1);
            if (diff == 0) {
                if (head.compareAndSet(pos, pos + 1)) {
                    E e = elements.get(cell);
                    elements.lazySet(cell, null);
                    sequences.set(cell, pos + mask + 1);
                    return e;
                }
            } else if (diff < 0) {
                return null; // empty
            }
        }
    }

    /**
     * Polls, spinning a little and then parking {@code parkNanos} at a time, until an element comes or
     * {@code deadlineNanos} (a {@link System#nanoTime()} value) passes; null then, or when interrupted.
     */
    public E pollWaiting(long deadlineNanos, long parkNanos) {
        for (int spins = 0; ; spins++) {
            E e = poll();
            if (e != null) {
                return e;
            }
            if (Thread.currentThread().isInterrupted() || System.nanoTime() - deadlineNanos >= 0) {
                return null;
            }
            if (spins < 64) {
                Thread.onSpinWait();
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(this, parkNanos);
            }
        }
    }
}
