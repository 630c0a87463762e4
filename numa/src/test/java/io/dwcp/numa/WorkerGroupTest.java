package io.dwcp.numa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.numa.linux.LinuxSched;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerGroupTest {
    private final Topology topology = Topology.detect();

    @Test
    void eachWorkerIsPinnedAndTheKernelSaysSo() throws Exception {
        assumeTrue(Affinity.available(), "sched_setaffinity is unavailable: workers run unpinned");
        try (WorkerGroup g = WorkerGroup.start(0, PinPolicy.auto(), topology, 16)) {
            CpuList cpus = g.cpus();
            assertEquals(cpus.size(), g.size(), "one worker per CPU");
            for (int i = 0; i < g.size(); i++) {
                PinResult p = g.pinResults().get(i);
                CpuList only = CpuList.of(cpus.get(i));
                assertEquals("dwcp-data-" + i, g.threads().get(i).getName());
                assertTrue(p.pinned(), p.toString());
                assertEquals(only, p.affinity());
                // Read afresh from the kernel, not from what the worker recorded.
                assertEquals(only, Affinity.statusCpus(p.tid()), "/proc/self/task/" + p.tid() + "/status");
            }
            assertEquals(g.size(), g.pinnedCount());
            // And the jobs really execute there.
            AtomicIntegerArray ranOn = new AtomicIntegerArray(g.size());
            CountDownLatch done = new CountDownLatch(g.size());
            for (int i = 0; i < g.size(); i++) {
                int w = i;
                assertTrue(g.offer(w, () -> {
                    ranOn.set(w, LinuxSched.currentCpu());
                    done.countDown();
                }));
            }
            assertTrue(done.await(5, TimeUnit.SECONDS));
            for (int i = 0; i < g.size(); i++) {
                assertEquals(cpus.get(i), ranOn.get(i));
            }
        }
    }

    @Test
    void theFactoryMakesPinnedThreadsRoundRobin() throws Exception {
        assumeTrue(Affinity.available(), "sched_setaffinity is unavailable");
        try (WorkerGroup g = WorkerGroup.start(1, PinPolicy.auto(), topology, 16)) {
            ThreadFactory f = g.threadFactory();
            List<PinnedThread> ts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                PinnedThread t = (PinnedThread) f.newThread(() -> { });
                t.start();
                ts.add(t);
            }
            for (int i = 0; i < ts.size(); i++) {
                PinnedThread t = ts.get(i);
                PinResult p = t.awaitPinned(5, TimeUnit.SECONDS);
                t.join();
                assertEquals("dwcp-data-" + (i + 1), t.getName());
                int cpu = g.cpus().get((i + 1) % g.cpus().size());
                assertEquals(cpu, p.cpu());
                assertTrue(p.pinned(), p.toString());
                assertEquals(CpuList.of(cpu), p.status(), "Cpus_allowed_list");
            }
        }
    }

    @Test
    void aStreamThreadIsGivenAWorkerOnAnotherCpu() throws Exception {
        assumeTrue(Affinity.available(), "sched_setaffinity is unavailable");
        try (WorkerGroup g = WorkerGroup.start(0, PinPolicy.auto(), topology, 16)) {
            assumeTrue(g.size() > 1, "one CPU: nowhere else to go");
            for (int start = 0; start < g.size(); start++) {
                int from = start;
                int[] chosen = new int[1];
                // A pinned thread of the group's factory stands for a data stream on that CPU.
                Thread t = g.threadFactory().newThread(() -> chosen[0] = g.workerAwayFromCurrentCpu(from));
                t.start();
                t.join();
                int streamCpu = ((PinnedThread) t).pinResult().cpu();
                assertTrue(g.pinResults().get(chosen[0]).cpu() != streamCpu,
                        "worker " + chosen[0] + " shares cpu " + streamCpu + " with the stream");
            }
        }
    }

    @Test
    void offLeavesThreadsUnpinned() throws Exception {
        try (WorkerGroup g = WorkerGroup.start(2, PinPolicy.off(), topology, 16)) {
            assertTrue(g.cpus().isEmpty());
            assertEquals(0, g.pinnedCount());
            assertEquals("workers=2 pin=off pinned=0/2", g.describe());
            PinResult p = g.pinResults().getFirst();
            assertEquals(-1, p.cpu());
            assertEquals(Affinity.allowed(topology.online()), p.status(), "the process's whole set");
        }
    }

    @Test
    void aListNamingUnusableCpusIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorkerGroup.start(0, PinPolicy.parse("8000"), topology, 16));
        assertTrue(e.getMessage().startsWith("pin=8000 reason=cpu-not-available cpus=8000"), e.getMessage());
    }

    @Test
    void aFullQueueRefusesAndEverythingQueuedRuns() throws Exception {
        WorkerGroup g = WorkerGroup.start(1, PinPolicy.auto(), topology, 4);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        assertTrue(g.offer(0, () -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        Thread.sleep(50); // the worker takes the gate job and blocks in it
        Runnable count = ran::incrementAndGet;
        int accepted = 0;
        while (g.offer(0, count)) {
            accepted++;
        }
        assertEquals(4, accepted, "bounded by the capacity");
        gate.countDown();
        g.close();
        assertEquals(4, ran.get(), "close drains the queue");
        assertFalse(g.threads().getFirst().isAlive(), "close joins");
        assertFalse(g.offer(0, count), "closed");
    }

    @Test
    void offeringAPreparedJobAllocatesNothing() throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        WorkerGroup g = WorkerGroup.start(1, PinPolicy.auto(), topology, 1024);
        try {
            AtomicInteger ran = new AtomicInteger();
            Runnable job = ran::incrementAndGet;
            for (int i = 0; i < 50_000; i++) {
                while (!g.offer(0, job)) {
                    Thread.onSpinWait();
                }
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 50_000; i++) {
                while (!g.offer(0, job)) {
                    Thread.onSpinWait();
                }
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 1024, "50k offers allocated " + allocated + " bytes");
            g.close();
            assertEquals(100_000, ran.get());
        } finally {
            g.close();
        }
    }
}
