package io.dwcp.core.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

class MpmcArrayQueueTest {
    @Test
    void fifoBoundedAndEmpty() {
        MpmcArrayQueue<Integer> q = new MpmcArrayQueue<>(3);
        assertEquals(4, q.capacity());
        assertNull(q.poll());
        for (int i = 0; i < 4; i++) {
            assertTrue(q.offer(i));
        }
        assertFalse(q.offer(99), "full");
        for (int i = 0; i < 4; i++) {
            assertEquals(i, q.poll());
        }
        assertNull(q.poll());
        assertNull(q.pollWaiting(System.nanoTime() + 1_000_000, 100_000), "times out");
    }

    @Test
    void everyElementArrivesExactlyOnceUnderContention() throws Exception {
        MpmcArrayQueue<Integer> q = new MpmcArrayQueue<>(16);
        int producers = 3;
        int consumers = 3;
        int perProducer = 100_000;
        AtomicLongArray seen = new AtomicLongArray(producers * perProducer);
        AtomicLong taken = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perProducer; i++) {
                    while (!q.offer(base + i)) {
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        for (int c = 0; c < consumers; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (taken.get() < (long) producers * perProducer) {
                    Integer e = q.poll();
                    if (e != null) {
                        seen.incrementAndGet(e);
                        taken.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        for (int i = 0; i < seen.length(); i++) {
            assertEquals(1, seen.get(i), "element " + i);
        }
    }

    @Test
    void offerAndPollAllocateNothing() {
        MpmcArrayQueue<Object> q = new MpmcArrayQueue<>(8);
        Object token = new Object();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) { // warm up
            q.offer(token);
            q.poll();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 200_000; i++) {
            q.offer(token);
            q.poll();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes in 200k cycles");
    }
}
