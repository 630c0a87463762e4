package io.dwcp.numa;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The slabs of one size class on one node: a preallocated array of handles, a lock-free free stack over
 * their indices, and the counters. Acquire and release touch only this sub-pool's atomics. Carving (rare)
 * holds this sub-pool's grow lock; waking blocked acquirers holds {@link #waitLock} only while someone waits.
 * Lock order: a grow lock, then smaller classes' grow locks, then a wait lock; never the other way.
 */
final class SubPool {
    private final SlabPool pool;
    private final RegionBudget budget;
    private final int node;
    private final int classIndex;
    private final long slabBytes;
    private final Slab[] slabs;
    private final SlabStack free;
    private final Object growLock = new Object();
    /** Blocked acquirers wait here; releases notify only when {@link #waiters} says someone does. */
    final Object waitLock = new Object();
    final AtomicInteger waiters = new AtomicInteger();
    private volatile int carved;

    private final AtomicLong inUse = new AtomicLong();
    private final AtomicLong highWater = new AtomicLong();
    private final AtomicLong doubleReleases = new AtomicLong();
    private final LongAdder acquired = new LongAdder();
    private final LongAdder released = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder waits = new LongAdder();

    SubPool(SlabPool pool, RegionBudget budget, int node, int classIndex, long slabBytes, int maxSlabs) {
        this.pool = pool;
        this.budget = budget;
        this.node = node;
        this.classIndex = classIndex;
        this.slabBytes = slabBytes;
        this.slabs = new Slab[maxSlabs];
        this.free = new SlabStack(maxSlabs);
    }

    int node() {
        return node;
    }

    long slabBytes() {
        return slabBytes;
    }

    boolean hasFree() {
        return !free.isEmpty();
    }

    /** A free slab, now held by the caller, or null. Allocation-free. */
    Slab pop() {
        int i = free.pop();
        if (i < 0) {
            return null;
        }
        Slab s = slabs[i];
        s.markInUse();
        long n = inUse.incrementAndGet();
        if (n > highWater.get()) {
            highWater.accumulateAndGet(n, Math::max);
        }
        acquired.increment();
        return s;
    }

    void release(Slab s) {
        if (!s.markFree()) {
            doubleReleases.incrementAndGet();
            throw new IllegalStateException("slab_release=twice class=" + Bytes.format(slabBytes) + " node=" + node
                    + " index=" + s.index() + " reason=not-held");
        }
        inUse.decrementAndGet();
        released.increment();
        if (!pool.isClosed()) {
            offer(s.index());
        }
    }

    private void offer(int index) {
        free.push(index);
        if (waiters.get() > 0) {
            synchronized (waitLock) {
                waitLock.notify();
            }
        }
    }

    void countMiss() {
        misses.increment();
    }

    void countWait() {
        waits.increment();
    }

    /**
     * Carves a new region when no slab is free and the budget allows; false when nothing could be had. The
     * region's tail, too short for this class, is carved into smaller classes rather than wasted.
     */
    boolean grow() {
        if (!budget.mayHold(slabBytes)) {
            return false;
        }
        synchronized (growLock) {
            if (!free.isEmpty()) {
                return true;
            }
            Region region = budget.take(slabBytes, node);
            if (region == null) {
                return false;
            }
            long offset = carveLocked(region, 0);
            pool.donateTail(region, offset, classIndex);
            return carved > 0;
        }
    }

    /** Carves slabs of this class from {@code region} starting at {@code offset}; returns the new offset. */
    long carveFrom(Region region, long offset) {
        synchronized (growLock) {
            return carveLocked(region, offset);
        }
    }

    private long carveLocked(Region region, long offset) {
        int n = carved;
        while (offset + slabBytes <= region.byteSize() && n < slabs.length) {
            slabs[n] = new Slab(this, n, region.segment().asSlice(offset, slabBytes), region.kind());
            carved = n + 1;
            offer(n);
            n++;
            offset += slabBytes;
        }
        return offset;
    }

    /** Held slabs, counted from their states (exact once acquirers and releasers have stopped). */
    long outstanding() {
        long n = 0;
        for (int i = 0, c = carved; i < c; i++) {
            if (slabs[i].inUse()) {
                n++;
            }
        }
        return n;
    }

    SlabPoolStats.ClassStats stats() {
        return new SlabPoolStats.ClassStats(slabBytes, node, carved, acquired.sum(), released.sum(), misses.sum(),
                waits.sum(), inUse.get(), highWater.get(), doubleReleases.get());
    }
}
