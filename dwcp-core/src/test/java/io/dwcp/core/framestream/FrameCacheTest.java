package io.dwcp.core.framestream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The cache's policy against a model, its pool under fragmentation, and its key index. */
class FrameCacheTest {
    private static final int PAGE = FrameStreamDescriptor.PAGE_SIZE;

    @Test
    void evictsLikeTheDocumentedPolicyAndKeepsTheBytes() {
        long budget = 40L * PAGE;
        FrameStreamStats stats = new FrameStreamStats();
        SplittableRandom rnd = new SplittableRandom(17);
        // The model: insertion order = recency, since only a store makes a key recent.
        LinkedHashMap<Long, byte[]> model = new LinkedHashMap<>();
        long evictions = 0;
        byte[] digest = new byte[16];
        try (FrameCache cache = new FrameCache(budget, 64 * PAGE, stats); Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(64 * PAGE);
            for (int step = 0; step < 3000; step++) {
                long key = rnd.nextInt(30);
                int len = rnd.nextInt(4) == 0 ? rnd.nextInt(50 * PAGE) : rnd.nextInt(6 * PAGE);
                byte[] frame = Recorded.random(rnd.nextLong(), len);
                digest[0] = (byte) step;
                boolean kept = cache.store(key, MemorySegment.ofArray(frame), 0, len, digest, 0);

                int need = FrameCache.charge(len);
                if (need > budget / PAGE) {
                    if (model.remove(key) != null) {
                        evictions++;
                    }
                    assertFalse(kept);
                } else {
                    byte[] old = model.remove(key);
                    long used = model.values().stream().mapToLong(f -> FrameCache.charge(f.length)).sum();
                    while (used + need > budget / PAGE) {
                        Long eldest = model.keySet().iterator().next();
                        used -= FrameCache.charge(model.remove(eldest).length);
                        evictions++;
                    }
                    assertTrue(kept);
                    model.put(key, frame);
                    assertTrue(old == null || old != frame);
                }
                assertEquals(evictions, stats.evictions(), "step " + step);
                assertEquals(model.size(), cache.entries());
                for (Map.Entry<Long, byte[]> e : model.entrySet()) {
                    FrameCache.Entry c = cache.find(e.getKey());
                    assertEquals(e.getValue().length, c.length);
                }
                if (kept) {
                    FrameCache.Entry c = cache.find(key);
                    assertEquals((byte) step, c.digest[0]);
                    cache.copyOut(c, len, out, 0);
                    assertArrayEquals(frame, out.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE));
                }
                assertTrue(cache.usedBytes() <= budget);
            }
            // Every entry still holds its bytes, and the tail of its last page is zero.
            for (Map.Entry<Long, byte[]> e : model.entrySet()) {
                FrameCache.Entry c = cache.find(e.getKey());
                int len = e.getValue().length;
                int padded = FrameCache.charge(len) * PAGE;
                cache.copyOut(c, padded, out, 0);
                byte[] expect = java.util.Arrays.copyOf(e.getValue(), padded);
                assertArrayEquals(expect, out.asSlice(0, padded).toArray(ValueLayout.JAVA_BYTE), "key " + e.getKey());
            }
        }
    }

    @Test
    void anUpdateCopiesTheChangedPagesAndLeavesTheSameBytesAsAStore() {
        SplittableRandom rnd = new SplittableRandom(23);
        byte[] digest = new byte[16];
        try (FrameCache cache = new FrameCache(64L * PAGE, 64 * PAGE, new FrameStreamStats()); Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(64 * PAGE);
            byte[][] frames = new byte[4][];
            for (int k = 0; k < 4; k++) {
                frames[k] = Recorded.random(k, 5 * PAGE + 1 + rnd.nextInt(9 * PAGE));
                cache.store(k, MemorySegment.ofArray(frames[k]), 0, frames[k].length, digest, 0);
            }
            for (int step = 0; step < 500; step++) {
                int k = rnd.nextInt(4);
                byte[] next = frames[k].clone();
                for (int i = 0, n = rnd.nextInt(6); i < n; i++) {
                    next[rnd.nextInt(next.length)] ^= (byte) (1 + rnd.nextInt(255));
                }
                long[] map = new long[1];
                for (int p = 0; p < FrameDeltaDescriptor.pageCount(next.length); p++) {
                    int from = p * PAGE;
                    int to = Math.min(next.length, from + PAGE);
                    if (!java.util.Arrays.equals(next, from, to, frames[k], from, to)) {
                        map[0] |= 1L << p;
                    }
                }
                digest[0] = (byte) step;
                cache.update(cache.find(k), MemorySegment.ofArray(next), 0, map, digest, 0);
                frames[k] = next;
                FrameCache.Entry e = cache.find(k);
                assertEquals((byte) step, e.digest[0]);
                int padded = FrameCache.charge(next.length) * PAGE;
                cache.copyOut(e, padded, out, 0);
                assertArrayEquals(java.util.Arrays.copyOf(next, padded), out.asSlice(0, padded).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void thePoolAlwaysFindsPagesWithinItsSizeHoweverFragmented() {
        SplittableRandom rnd = new SplittableRandom(3);
        try (PagePool pool = new PagePool(200L * PAGE, 16)) {
            List<Extents> live = new ArrayList<>();
            for (int step = 0; step < 5000; step++) {
                if (!live.isEmpty() && (rnd.nextBoolean() || pool.freePages() == 0)) {
                    Extents e = live.remove(rnd.nextInt(live.size()));
                    pool.release(e, rnd.nextInt(3) == 0 ? rnd.nextInt(e.pages() + 1) : 0);
                    if (e.pages() > 0) {
                        live.add(e);
                    }
                } else {
                    int n = 1 + rnd.nextInt(Math.min(40, pool.freePages()));
                    Extents e = live.isEmpty() || rnd.nextBoolean() ? new Extents() : live.remove(rnd.nextInt(live.size()));
                    int before = e.pages();
                    pool.allocate(n, e);
                    assertEquals(before + n, e.pages());
                    live.add(e);
                }
                // No page is held twice, runs stay inside one region, and the free count adds up.
                boolean[] held = new boolean[200];
                int total = 0;
                for (Extents e : live) {
                    for (int i = 0; i < e.runs(); i++) {
                        int first = e.start(i);
                        assertEquals(first / 16, (first + e.count(i) - 1) / 16, "run crosses a region");
                        for (int p = first; p < first + e.count(i); p++) {
                            assertFalse(held[p], "page " + p + " held twice");
                            held[p] = true;
                            total++;
                        }
                    }
                }
                assertEquals(200 - total, pool.freePages());
            }
        }
    }

    @Test
    void theKeyIndexAgreesWithAHashMap() {
        SplittableRandom rnd = new SplittableRandom(8);
        KeyIndex<Long> index = new KeyIndex<>();
        Map<Long, Long> model = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            long key = rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(500) - 250;
            if (rnd.nextInt(3) == 0) {
                index.remove(key);
                model.remove(key);
            } else {
                index.put(key, (long) i);
                model.put(key, (long) i);
            }
            long probe = rnd.nextInt(500) - 250;
            assertEquals(model.get(probe), index.get(probe));
        }
        assertEquals(model.size(), index.size());
        for (Map.Entry<Long, Long> e : model.entrySet()) {
            assertEquals(e.getValue(), index.get(e.getKey()));
        }
        assertNull(index.get(Long.MIN_VALUE + 3));
    }
}
