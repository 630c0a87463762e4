package io.dwcp.numa;

import io.dwcp.core.Log;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The slab pool's memory bound: hands out regions while their sum stays within the budget (a CAS on the
 * reserved total, never a lock), keeps them for unmapping at close, and counts what they turned out to be.
 */
final class RegionBudget {
    private static final Log LOG = Log.of("slab");
    /** Regions aim at this size: few mmaps, yet small next to any sensible budget. */
    private static final long REGION_TARGET = 8 * Bytes.MIB;

    private final long budget;
    private final HugePages pages;
    private final AtomicLong reserved = new AtomicLong();
    private final AtomicLongArray reservedByKind = new AtomicLongArray(PageKind.values().length);
    private final AtomicLong hugeBacked = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastFailure = "";
    private final ConcurrentLinkedQueue<Region> regions = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /** @param budget a multiple of the huge-page size */
    RegionBudget(long budget, HugePages pages) {
        this.budget = budget;
        this.pages = pages;
    }

    long budget() {
        return budget;
    }

    /** False when the budget cannot hold one more slab of {@code slabBytes}: misses then skip the grow lock. */
    boolean mayHold(long slabBytes) {
        long huge = pages.hugePageSize();
        return (budget - reserved.get()) / huge * huge >= slabBytes;
    }

    /**
     * A new region for slabs of {@code slabBytes} on {@code node}: about {@link #REGION_TARGET} (at least one
     * slab), less when the budget is nearly spent; null when it is spent or the system refuses (counted).
     */
    Region take(long slabBytes, int node) {
        long huge = pages.hugePageSize();
        long want = Bytes.roundUp(slabBytes * Math.max(1, REGION_TARGET / slabBytes), huge);
        long bytes;
        while (true) {
            long r = reserved.get();
            bytes = Math.min(want, (budget - r) / huge * huge);
            if (bytes < slabBytes) {
                return null;
            }
            if (reserved.compareAndSet(r, r + bytes)) {
                break;
            }
        }
        try {
            Region region = pages.allocate(bytes, node);
            regions.add(region);
            if (closed) {
                closeAll(); // the pool closed while this region was being mapped: unmap it too
                return null;
            }
            reservedByKind.addAndGet(region.kind().ordinal(), region.byteSize());
            hugeBacked.addAndGet(region.hugeBytes());
            return region;
        } catch (IOException | RuntimeException e) {
            reserved.addAndGet(-bytes);
            lastFailure = e.getMessage() == null ? e.toString() : e.getMessage();
            if (failures.getAndIncrement() == 0) {
                LOG.warn("slab_grow=failed bytes=" + Bytes.format(bytes) + " detail=\"" + lastFailure + "\"");
            }
            return null;
        }
    }

    long reserved() {
        return reserved.get();
    }

    long hugeBacked() {
        return hugeBacked.get();
    }

    long[] reservedByKind() {
        long[] byKind = new long[PageKind.values().length];
        for (int k = 0; k < byKind.length; k++) {
            byKind[k] = reservedByKind.get(k);
        }
        return byKind;
    }

    long failures() {
        return failures.get();
    }

    String lastFailure() {
        return lastFailure;
    }

    /** Unmaps every region, and any a racing grow adds later. */
    void closeAll() {
        closed = true;
        Region r;
        while ((r = regions.poll()) != null) {
            r.close();
        }
    }
}
