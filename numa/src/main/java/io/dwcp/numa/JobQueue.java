package io.dwcp.numa;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded multi-producer, single-consumer queue of jobs over a preallocated ring (JCTools' MpscArrayQueue
 * scheme): producers claim a slot by CAS on the producer index and then publish the element; the one consumer
 * takes it, clears the slot and advances. No locks, no allocation per job.
 */
final class JobQueue {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Runnable[].class);

    private final Runnable[] ring;
    private final int mask;
    private final AtomicLong producerIndex = new AtomicLong();
    /** Written by the consumer only; producers read it to see free room. */
    private volatile long consumerIndex;

    /** @param capacity rounded up to a power of two */
    JobQueue(int capacity) {
        int c = Integer.highestOneBit(Math.max(2, capacity) - 1) << 1;
        this.ring = new Runnable[c];
        this.mask = c - 1;
    }

    int capacity() {
        return ring.length;
    }

    /** False when full: the caller decides to retry, run the job itself or report back-pressure. */
    boolean offer(Runnable job) {
        long p;
        do {
            p = producerIndex.get();
            if (p - consumerIndex >= ring.length) {
                return false;
            }
        } while (!producerIndex.compareAndSet(p, p + 1));
        SLOT.setRelease(ring, (int) (p & mask), job);
        return true;
    }

    /** The next job, or null when empty. Consumer thread only. */
    Runnable poll() {
        long c = consumerIndex;
        int i = (int) (c & mask);
        Runnable job = (Runnable) SLOT.getAcquire(ring, i);
        if (job == null) {
            if (c == producerIndex.get()) {
                return null;
            }
            // A producer claimed the slot and is about to publish: it is a matter of instructions.
            do {
                Thread.onSpinWait();
                job = (Runnable) SLOT.getAcquire(ring, i);
            } while (job == null);
        }
        SLOT.setRelease(ring, i, (Runnable) null);
        consumerIndex = c + 1;
        return job;
    }

    boolean isEmpty() {
        return consumerIndex == producerIndex.get();
    }
}
