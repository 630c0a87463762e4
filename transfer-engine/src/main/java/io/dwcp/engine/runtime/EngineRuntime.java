package io.dwcp.engine.runtime;

import io.dwcp.numa.HugePageMode;
import io.dwcp.numa.NumaOptions;
import io.dwcp.numa.PinPolicy;
import io.dwcp.numa.SizeClasses;
import io.dwcp.numa.NumaRuntime;
import io.dwcp.numa.Slab;
import io.dwcp.numa.SlabPool;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The data plane's machinery for one process (a server, or a sending client): the I/O path, chosen once and
 * logged; the bounded slab pool; and pinned {@code dwcp-data-N} threads. Built from the command line's
 * {@code --io}, {@code --workers}, {@code --pin} and {@code --hugepages}.
 */
public final class EngineRuntime implements AutoCloseable {
    /** How long a data thread waits for a buffer before it gives up on its transfer. */
    private static final long SLAB_WAIT_SECONDS = 30;
    /** Room for the pool's rounding to whole regions (about 8 MiB each) on top of what a client asks for. */
    private static final long CLIENT_SLAB_SLACK = 16L << 20;
    /** A client's one worker runs no jobs; its queue only has to exist. */
    private static final int CLIENT_QUEUE_CAPACITY = 16;

    private final IoPaths io;
    private final NumaRuntime numa;
    private final java.util.concurrent.atomic.AtomicInteger nextWorker = new java.util.concurrent.atomic.AtomicInteger();

    private EngineRuntime(IoPaths io, NumaRuntime numa) {
        this.io = io;
        this.numa = numa;
    }

    /**
     * Starts the runtime: probes the I/O path, pins the workers, maps the slab pool's first region lazily.
     *
     * @throws IllegalArgumentException a bad option, saying which
     * @throws IllegalStateException    {@code --hugepages require} without huge pages, saying how to get them
     */
    public static EngineRuntime start(IoMode ioMode, NumaOptions numaOptions) throws InterruptedException {
        return new EngineRuntime(IoPaths.select(ioMode), NumaRuntime.start(numaOptions));
    }

    /** Defaults: the best I/O path here, one worker per CPU, pinned, huge pages when there are any. */
    public static EngineRuntime defaults() throws InterruptedException {
        return start(IoMode.AUTO, NumaOptions.defaults());
    }

    /**
     * A sending client's runtime: the I/O path for {@code ioMode}, one (idle) worker, data threads pinned round
     * robin from the second chosen CPU on (a server on this machine starts its own from the first), huge pages
     * when there are any, and a slab budget for {@code slabs} buffers of a {@code blockSize} frame (never below the
     * default).
     */
    public static EngineRuntime client(IoMode ioMode, int slabs, int blockSize) throws InterruptedException {
        SizeClasses classes = SizeClasses.defaults();
        long budget = Math.max(NumaOptions.DEFAULT_SLAB_BUDGET,
                classes.budgetFor(slabs, SizeClasses.frameCapacity(blockSize)) + CLIENT_SLAB_SLACK);
        return new EngineRuntime(IoPaths.forSending(ioMode), NumaRuntime.start(new NumaOptions(1, PinPolicy.auto(),
                HugePageMode.AUTO, budget, classes, CLIENT_QUEUE_CAPACITY)));
    }

    public IoPaths io() {
        return io;
    }

    public SlabPool slabs() {
        return numa.slabs();
    }

    /** Pinned data threads, round-robin over the chosen CPUs. */
    public ThreadFactory dataThreads() {
        return numa.workers().threadFactory();
    }

    /**
     * A buffer of at least {@code bytes} from the pool, waiting while others hold them all (memory is bounded, so
     * a busy server slows down instead of growing).
     *
     * @throws java.io.IOException with {@code reason=no-buffer} when none was released in time
     */
    public Slab buffer(long bytes) throws java.io.IOException {
        try {
            Slab s = numa.slabs().acquire(bytes, SLAB_WAIT_SECONDS, TimeUnit.SECONDS);
            if (s == null) {
                throw new java.io.IOException("reason=no-buffer bytes=" + bytes + " waited_s=" + SLAB_WAIT_SECONDS
                        + " " + numa.slabs().describe());
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("reason=interrupted waiting=buffer");
        }
    }

    /**
     * A worker for work that must stay in order (a session's verification): sessions are spread round-robin over
     * the pinned workers, one per CPU, skipping the worker on the calling (stream) thread's own CPU.
     */
    public int assignWorker() {
        return numa.workers().workerAwayFromCurrentCpu(nextWorker.getAndIncrement());
    }

    /** Queues {@code job} on pinned worker {@code worker}; false when its bounded queue is full. */
    public boolean runOn(int worker, Runnable job) {
        return numa.workers().offer(worker, job);
    }

    /** One line for the log: the I/O path, workers, pinning, huge pages, slab budget. */
    public String describe() {
        return io.describe() + " " + numa.describe();
    }

    @Override
    public void close() {
        numa.close();
    }
}
