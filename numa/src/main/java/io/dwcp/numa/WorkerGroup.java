package io.dwcp.numa;

import io.dwcp.core.Log;
import io.dwcp.numa.linux.LinuxSched;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The data-plane workers: platform threads {@code dwcp-data-N}, one per chosen CPU (or as many as asked,
 * round-robin over the chosen CPUs), each pinned to its CPU at start with the affinity read back. Work
 * reaches them two ways: {@link #offer(int, Runnable)} onto a worker's bounded lock-free queue, and
 * {@link #threadFactory()}, which makes more pinned threads for code that still runs one blocking stream per
 * thread. {@link #close()} lets the workers finish their queues and joins them.
 */
public final class WorkerGroup implements AutoCloseable {
    private static final Log LOG = Log.of("workers");
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int SPINS_BEFORE_PARK = 256;

    private final Topology topology;
    private final PinPolicy policy;
    private final CpuList cpus;
    private final Worker[] workers;
    private final AtomicInteger nextName;
    private final AtomicInteger nextCpu = new AtomicInteger();
    private final AtomicLong failedJobs = new AtomicLong();
    private volatile boolean stopping;

    private final class Worker implements Runnable {
        final JobQueue queue;
        final PinnedThread thread;
        volatile boolean parked;

        Worker(int index, int cpu, int queueCapacity) {
            this.queue = new JobQueue(queueCapacity);
            this.thread = new PinnedThread("dwcp-data-" + index, cpu, topology, this);
        }

        @Override
        public void run() {
            int idle = 0;
            while (true) {
                Runnable job = queue.poll();
                if (job != null) {
                    idle = 0;
                    runJob(job);
                } else if (stopping) {
                    return; // the queue is empty and producers were told to stop before
                } else if (++idle < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    // Re-checked after announcing the park: a producer that offered meanwhile sees parked.
                    if (queue.isEmpty() && !stopping) {
                        LockSupport.parkNanos(this, PARK_NANOS);
                    }
                    parked = false;
                }
            }
        }

        private void runJob(Runnable job) {
            try {
                job.run();
            } catch (Throwable t) {
                if (failedJobs.getAndIncrement() == 0) {
                    LOG.warn("worker=" + thread.getName() + " job=failed detail=\"" + t + "\"");
                }
            }
        }
    }

    private WorkerGroup(Topology topology, PinPolicy policy, CpuList cpus, int count, int queueCapacity) {
        this.topology = topology;
        this.policy = policy;
        this.cpus = cpus;
        this.workers = new Worker[count];
        for (int i = 0; i < count; i++) {
            workers[i] = new Worker(i, cpuFor(i), queueCapacity);
        }
        this.nextName = new AtomicInteger(count);
        this.nextCpu.set(count);
    }

    /**
     * Starts the workers and returns once each has pinned itself (or failed to, which it reports).
     *
     * @param count         workers to start; 0 for one per chosen CPU (or per available processor when unpinned)
     * @param queueCapacity jobs each worker's queue holds (rounded up to a power of two)
     * @throws IllegalArgumentException when a CPU list names CPUs this process cannot use
     */
    public static WorkerGroup start(int count, PinPolicy policy, Topology topology, int queueCapacity)
            throws InterruptedException {
        if (count < 0 || queueCapacity < 1) {
            throw new IllegalArgumentException("workers=" + count + " queue=" + queueCapacity + " reason=out-of-range");
        }
        CpuList cpus = policy.resolve(topology.online(), Affinity.allowed(topology.online()));
        int n = count > 0 ? count : cpus.isEmpty() ? Runtime.getRuntime().availableProcessors() : cpus.size();
        WorkerGroup group = new WorkerGroup(topology, policy, cpus, n, queueCapacity);
        for (Worker w : group.workers) {
            w.thread.start();
        }
        for (Worker w : group.workers) {
            w.thread.awaitPinned(10, TimeUnit.SECONDS);
        }
        return group;
    }

    private int cpuFor(int i) {
        return cpus.isEmpty() ? -1 : cpus.get(i % cpus.size());
    }

    /** Queues {@code job} on worker {@code worker}; false when its queue is full or the group is closing. */
    public boolean offer(int worker, Runnable job) {
        if (stopping) {
            return false;
        }
        Worker w = workers[worker];
        if (!w.queue.offer(job)) {
            return false;
        }
        if (w.parked) {
            LockSupport.unpark(w.thread);
        }
        return true;
    }

    /**
     * Pinned threads ({@code dwcp-data-N}, numbered after the workers) round-robin over the chosen CPUs, for
     * the blocking one-stream-per-thread data plane. Each pins itself when started.
     */
    public ThreadFactory threadFactory() {
        return r -> new PinnedThread("dwcp-data-" + nextName.getAndIncrement(),
                cpuFor(nextCpu.getAndIncrement()), topology, r);
    }

    public int size() {
        return workers.length;
    }

    /** The CPUs the workers are pinned to; empty for {@code --pin off}. */
    public CpuList cpus() {
        return cpus;
    }

    /**
     * A worker, from {@code start} on, that is not pinned to the CPU the calling thread runs on, so that a pinned
     * stream thread and the worker that verifies what it receives do not share a core; {@code start} (modulo the
     * group's size) when every worker is there, or when the CPU cannot be asked.
     */
    public int workerAwayFromCurrentCpu(int start) {
        int n = workers.length;
        int first = Math.floorMod(start, n);
        if (n == 1 || !LinuxSched.getcpuAvailable()) {
            return first;
        }
        int here = LinuxSched.currentCpu();
        for (int i = 0; i < n; i++) {
            int w = (first + i) % n;
            PinResult r = workers[w].thread.pinResult();
            if (r == null || !r.pinned() || r.cpu() != here) {
                return w;
            }
        }
        return first;
    }

    /** Per worker: its CPU, tid, whether pinning took effect and the affinity read back. */
    public List<PinResult> pinResults() {
        List<PinResult> r = new ArrayList<>(workers.length);
        for (Worker w : workers) {
            r.add(w.thread.pinResult());
        }
        return r;
    }

    /** Workers whose affinity reads back as exactly their CPU. */
    public int pinnedCount() {
        int n = 0;
        for (Worker w : workers) {
            PinResult p = w.thread.pinResult();
            n += p != null && p.pinned() ? 1 : 0;
        }
        return n;
    }

    /** The worker threads, for names and tests. */
    public List<Thread> threads() {
        List<Thread> t = new ArrayList<>(workers.length);
        for (Worker w : workers) {
            t.add(w.thread);
        }
        return t;
    }

    /** Jobs that threw (the first is logged). */
    public long failedJobs() {
        return failedJobs.get();
    }

    /** {@code workers=2 pin=0-1 pinned=2/2}; with {@code off}: {@code workers=2 pin=off pinned=0/2}. */
    public String describe() {
        String d = "workers=" + workers.length + " pin=" + (cpus.isEmpty() ? policy : cpus) + " pinned="
                + pinnedCount() + "/" + workers.length;
        PinResult first = workers.length == 0 ? null : workers[0].thread.pinResult();
        boolean failed = !cpus.isEmpty() && first != null && !first.pinned();
        return failed ? d + " pin_detail=\"" + first.detail() + "\"" : d;
    }

    /**
     * Stops taking jobs, lets each worker drain its queue, and joins them. A job whose offer raced with close
     * and arrived after its worker's last look is not run: it is counted and logged.
     */
    @Override
    public void close() {
        stopping = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
        long dropped = 0;
        boolean interrupted = false;
        for (Worker w : workers) {
            // Joined even when interrupted (the interrupt is kept): a returned close means the workers are gone.
            while (w.thread.isAlive()) {
                try {
                    w.thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            while (w.queue.poll() != null) {
                dropped++;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (dropped > 0) {
            LOG.warn("workers=closed dropped_jobs=" + dropped + " reason=offered-during-close");
        }
    }
}
