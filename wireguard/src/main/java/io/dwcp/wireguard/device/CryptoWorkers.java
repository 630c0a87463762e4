package io.dwcp.wireguard.device;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Seals or opens the packets of one batch in parallel: the thread that owns the batch (the send or the receive
 * path) hands out packet indexes to its workers and takes some itself, then waits for all of them, so it sends or
 * delivers the batch in its original order afterwards. Everything that must happen in order (counters, the replay
 * window, routing) stays on the owning thread; only the cipher work, which is independent per packet, fans out.
 *
 * <p>One batch at a time: {@link #run} is called by the owning thread only. Each worker has its own cipher.
 * Allocation-free per batch.
 */
final class CryptoWorkers implements AutoCloseable {
    /** One packet's cipher work. */
    interface Task {
        void run(int index, TransportCipher cipher);
    }

    private final Thread[] threads;
    private final TransportCipher own = new TransportCipher();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile Task task;
    private volatile int count;
    private volatile long generation;
    private volatile boolean closed;

    private final java.util.function.Consumer<TransportCipher> setUp;

    /**
     * {@code workers} threads besides the caller (0: the caller does everything); {@code setUp} prepares each
     * thread's cipher (binds it to the caller's batch).
     */
    CryptoWorkers(int workers, String name, java.util.function.Consumer<TransportCipher> setUp) {
        this.setUp = setUp;
        setUp.accept(own);
        threads = new Thread[workers];
        for (int i = 0; i < workers; i++) {
            threads[i] = Thread.ofPlatform().daemon().name(name + "-" + i).start(this::loop);
        }
    }

    int workers() {
        return threads.length;
    }

    /** Runs {@code t} for indexes {@code 0..n-1} on the workers and this thread; returns when all are done. */
    void run(int n, Task t) {
        if (threads.length == 0 || n < 2) {
            for (int i = 0; i < n; i++) {
                t.run(i, own);
            }
            return;
        }
        task = t;
        count = n;
        done.set(0);
        next.set(0);
        generation++;
        for (Thread w : threads) {
            LockSupport.unpark(w);
        }
        work(own);
        // the tail is one packet's work at most: spin briefly, then let the workers have the CPU
        for (int spins = 0; done.get() < n; spins++) {
            if (spins < 1000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    private void work(TransportCipher cipher) {
        int i;
        while ((i = next.getAndIncrement()) < count) {
            try {
                task.run(i, cipher);
            } catch (RuntimeException e) {
                // a task reports failure through its result; an exception here is a bug, which must not leave the
                // owning thread waiting forever
                failures.incrementAndGet();
            } finally {
                done.incrementAndGet();
            }
        }
    }

    /** Tasks that threw (bugs), for the device's log. */
    int failures() {
        return failures.get();
    }

    private void loop() {
        TransportCipher cipher = new TransportCipher();
        setUp.accept(cipher);
        long seen = 0;
        while (!closed) {
            long g = generation;
            if (g != seen) {
                seen = g;
                work(cipher);
            } else {
                LockSupport.park(this);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : threads) {
            LockSupport.unpark(w);
        }
    }

    /** The default for this host: none on small machines, where the path threads already fill the CPUs. */
    static int defaultWorkers() {
        int cpus = Runtime.getRuntime().availableProcessors();
        return cpus >= 4 ? Math.min(cpus / 2 - 1, 3) : 0;
    }
}
