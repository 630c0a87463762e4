package io.dwcp.numa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlabPoolTest {
    private static final long MIB = Bytes.MIB;
    private final Topology topology = Topology.detect();
    private final List<SlabPool> pools = new ArrayList<>();

    private SlabPool pool(long budget, HugePageMode mode) {
        SlabPool p = new SlabPool(budget, SizeClasses.defaults(), HugePages.create(mode, topology.nodeCount()), topology);
        pools.add(p);
        return p;
    }

    @AfterEach
    void closePools() {
        pools.forEach(SlabPool::close);
    }

    @Test
    void defaultClassesHoldAWholeFrame() {
        SizeClasses c = SizeClasses.defaults();
        assertEquals("68KiB,260KiB,1032KiB,4116KiB,16452KiB", c.toString());
        // A 16 MiB block, LZ4's worst case, plus prefix and header.
        assertTrue(c.largest() >= 16 * MIB + 16 * MIB / 255 + 16 + 56);
        assertEquals(2, c.indexFor(MIB + 56));
        assertThrows(IllegalArgumentException.class, () -> c.indexFor(c.largest() + 1));
    }

    @Test
    void segmentsAreDistinctAlignedAndOfTheirClassSize() {
        SlabPool pool = pool(16 * MIB, HugePageMode.AUTO);
        List<Slab> held = new ArrayList<>();
        TreeMap<Long, Long> ranges = new TreeMap<>();
        SplittableRandom rnd = new SplittableRandom(1);
        int attempts = 3000;
        for (int i = 0; i < attempts; i++) {
            Slab s = pool.tryAcquire(rnd.nextLong(1, 300_000));
            if (s == null) {
                continue;
            }
            held.add(s);
            MemorySegment seg = s.segment();
            assertEquals(s.capacity(), seg.byteSize());
            assertTrue(s.capacity() == 68 * 1024 || s.capacity() == 260 * 1024 || s.capacity() == 1032 * 1024,
                    "class size " + s.capacity());
            assertEquals(0, seg.address() % 4096, "page-aligned");
            assertNull(ranges.put(seg.address(), seg.address() + seg.byteSize()), "distinct");
            seg.fill((byte) held.size());
        }
        long end = 0;
        for (var e : ranges.entrySet()) {
            assertTrue(e.getKey() >= end, "no overlap at " + Long.toHexString(e.getKey()));
            end = e.getValue();
        }
        long bytes = held.stream().mapToLong(Slab::capacity).sum();
        assertTrue(bytes <= pool.budget(), bytes + " <= budget");
        assertTrue(bytes > pool.budget() * 9 / 10, "the budget is used, not wasted: " + bytes);
        assertEquals(attempts - held.size(), pool.stats().misses());
        assertEquals(pool.budget(), pool.stats().reserved());
        held.forEach(Slab::release);
        assertEquals(0, pool.outstanding());
    }

    @Test
    void theBudgetBoundsAcquisitionAndMissesAreCounted() {
        SlabPool pool = pool(16 * MIB, HugePageMode.OFF);
        List<Slab> held = new ArrayList<>();
        Slab s;
        while ((s = pool.tryAcquire(MIB)) != null) {
            held.add(s);
        }
        assertEquals(14, held.size(), "two 8 MiB regions of seven 1032 KiB slabs");
        assertNull(pool.tryAcquire(MIB));
        SlabPoolStats st = pool.stats();
        assertEquals(2, st.misses());
        assertEquals(16 * MIB, st.reserved());
        assertEquals(16 * MIB, st.reserved(PageKind.PLAIN));
        // The regions' tails went to smaller classes: a 64 KiB request is still served.
        Slab small = pool.tryAcquire(64 * 1024);
        assertNotNull(small);
        small.release();
        held.get(3).release();
        assertSame(held.get(3), pool.tryAcquire(MIB), "a released slab is handed out again, same handle");
    }

    @Test
    void concurrentAcquireReleaseNeverExceedsTheBound() throws Exception {
        SlabPool pool = pool(24 * MIB, HugePageMode.AUTO);
        int threads = 4;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        AtomicLong heldBytes = new AtomicLong();
        AtomicLong maxHeld = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long marker = 0x5EED_0000L + t;
            ts.add(Thread.ofPlatform().start(() -> {
                SplittableRandom rnd = new SplittableRandom(marker);
                List<Slab> mine = new ArrayList<>();
                try {
                    go.await();
                    for (int i = 0; i < 400_000 && System.nanoTime() < deadline; i++) {
                        if (mine.size() < 12 && rnd.nextInt(3) > 0) {
                            Slab s = pool.tryAcquire(rnd.nextLong(1, 2 * MIB));
                            if (s != null) {
                                // Two holders of one slab would overwrite each other's marker.
                                s.segment().set(ValueLayout.JAVA_LONG, 0, marker);
                                s.segment().set(ValueLayout.JAVA_LONG, s.capacity() - 8, marker);
                                maxHeld.accumulateAndGet(heldBytes.addAndGet(s.capacity()), Math::max);
                                mine.add(s);
                            }
                        } else if (!mine.isEmpty()) {
                            Slab s = mine.remove(rnd.nextInt(mine.size()));
                            assertEquals(marker, s.segment().get(ValueLayout.JAVA_LONG, 0));
                            assertEquals(marker, s.segment().get(ValueLayout.JAVA_LONG, s.capacity() - 8));
                            heldBytes.addAndGet(-s.capacity());
                            s.release();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    mine.forEach(s -> {
                        heldBytes.addAndGet(-s.capacity());
                        s.release();
                    });
                }
            }));
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        SlabPoolStats st = pool.stats();
        assertTrue(st.reserved() <= pool.budget(), st.toString());
        assertTrue(maxHeld.get() <= pool.budget(), "held " + maxHeld.get());
        assertTrue(st.misses() > 0, "the bound was reached: " + st);
        assertEquals(0, pool.outstanding());
        assertEquals(0, st.outstanding());
        assertEquals(st.acquired(), st.released());
        assertEquals(0, st.doubleReleases());
    }

    @Test
    void aDoubleReleaseThrowsAndIsCounted() {
        SlabPool pool = pool(8 * MIB, HugePageMode.AUTO);
        Slab s = pool.tryAcquire(100_000);
        s.release();
        IllegalStateException e = assertThrows(IllegalStateException.class, s::release);
        assertTrue(e.getMessage().startsWith("slab_release=twice class=260KiB node="), e.getMessage());
        assertEquals(1, pool.stats().doubleReleases());
        assertEquals(1, pool.stats().released());
        assertEquals(0, pool.outstanding());
        // The free stack holds the slab once: two acquisitions get two different slabs.
        Slab a = pool.tryAcquire(100_000);
        Slab b = pool.tryAcquire(100_000);
        assertTrue(a != b);
    }

    @Test
    void closeReportsLeaksAndUnmaps() {
        SlabPool pool = pool(16 * MIB, HugePageMode.AUTO);
        Slab small = pool.tryAcquire(10);
        Slab mid = pool.tryAcquire(MIB);
        Slab other = pool.tryAcquire(MIB);
        other.release();
        assertEquals(2, pool.outstanding());
        assertEquals("outstanding=2 classes=68KiB:1,1032KiB:1", pool.leakReport());
        pool.close();
        assertEquals(2, pool.outstanding(), "still known after close");
        assertEquals("outstanding=2 classes=68KiB:1,1032KiB:1", pool.leakReport());
        assertThrows(IllegalStateException.class, () -> mid.segment().get(ValueLayout.JAVA_BYTE, 0),
                "the memory is gone: use fails cleanly instead of crashing");
        assertThrows(IllegalStateException.class, () -> pool.tryAcquire(10));
        small.release(); // late releases are accepted and counted
        assertEquals(1, pool.outstanding());
    }

    @Test
    void aBlockedAcquireGetsTheNextReleasedSlab() throws Exception {
        SlabPool pool = pool(4 * MIB, HugePageMode.OFF);
        List<Slab> held = new ArrayList<>();
        Slab s;
        while ((s = pool.tryAcquire(MIB)) != null) {
            held.add(s);
        }
        assertEquals(3, held.size());
        long t0 = System.nanoTime();
        assertNull(pool.acquire(MIB, 50, TimeUnit.MILLISECONDS), "times out");
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(45));
        CompletableFuture<Slab> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return pool.acquire(MIB, 10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertTrue(!waiter.isDone(), "waits while none is free");
        held.get(1).release();
        assertSame(held.get(1), waiter.get(5, TimeUnit.SECONDS));
        SlabPoolStats st = pool.stats();
        assertEquals(2, st.classes().stream().mapToLong(SlabPoolStats.ClassStats::waits).sum());
        assertEquals(3, st.classes().stream().mapToLong(SlabPoolStats.ClassStats::highWater).max().orElse(0),
                "high-water mark: three held at once");
    }

    @Test
    void steadyStateAcquireReleaseAllocatesNothing() throws InterruptedException {
        SlabPool pool = pool(16 * MIB, HugePageMode.AUTO);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Slab[] held = new Slab[4];
        Runnable cycles = () -> {
            for (int i = 0; i < 100_000; i++) {
                for (int k = 0; k < held.length; k++) {
                    held[k] = pool.tryAcquire(k == 0 ? MIB : 64 * 1024);
                }
                for (Slab s : held) {
                    s.release();
                }
            }
        };
        cycles.run(); // carves the slabs and lets the JIT compile the path
        cycles.run();
        Slab b = pool.acquire(MIB, 1, TimeUnit.SECONDS);
        b.release();
        long before = mx.getCurrentThreadAllocatedBytes();
        cycles.run();
        for (int i = 0; i < 10_000; i++) {
            pool.acquire(MIB, 1, TimeUnit.SECONDS).release();
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "400k acquire/release allocated " + allocated + " bytes");
        assertEquals(0, pool.outstanding());
    }
}
