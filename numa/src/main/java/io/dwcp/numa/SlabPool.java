package io.dwcp.numa;

import io.dwcp.core.Log;
import io.dwcp.numa.linux.LinuxSched;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every data-plane buffer: off-heap slabs in size classes, one sub-pool per NUMA node and class, carved lazily
 * from huge-page regions and bounded by a byte budget fixed at construction. Acquire and release are
 * lock-free and allocate nothing once the slabs exist. When no slab is free and the budget is spent,
 * {@link #tryAcquire} returns null (a counted miss) and {@link #acquire(long, long, TimeUnit)} waits for a
 * release: a receiver waits for a buffer rather than failing the transfer.
 *
 * <p>A slab released twice throws; {@link #close()} reports slabs still held, then unmaps everything.
 */
public final class SlabPool implements AutoCloseable {
    private static final Log LOG = Log.of("slab");
    /** With several nodes a waiter also takes other nodes' slabs, whose releases do not wake it: it polls. */
    private static final long CROSS_NODE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final RegionBudget budget;
    private final SizeClasses classes;
    private final HugePages pages;
    private final Topology topology;
    private final SubPool[][] subs;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * A pool reserving at most {@code budgetBytes} (rounded down to the huge-page size) of memory.
     *
     * @throws IllegalArgumentException when the budget is below one huge page
     * @throws IllegalStateException    for {@link HugePageMode#REQUIRE} when the huge pages are not there
     */
    public SlabPool(long budgetBytes, SizeClasses classes, HugePages pages, Topology topology) {
        long bound = budgetBytes - budgetBytes % pages.hugePageSize();
        if (bound < pages.hugePageSize()) {
            throw new IllegalArgumentException("slab_budget=" + budgetBytes + " reason=below-one-huge-page min="
                    + Bytes.format(pages.hugePageSize()));
        }
        pages.checkRequired(bound);
        this.budget = new RegionBudget(bound, pages);
        this.classes = classes;
        this.pages = pages;
        this.topology = topology;
        this.subs = new SubPool[topology.nodeCount()][classes.count()];
        for (int n = 0; n < subs.length; n++) {
            for (int c = 0; c < classes.count(); c++) {
                int max = (int) Math.min(Integer.MAX_VALUE - 8, bound / classes.size(c));
                subs[n][c] = new SubPool(this, budget, topology.nodes().get(n).id(), c, classes.size(c), max);
            }
        }
    }

    /** A free slab of at least {@code bytes} on the caller's node (or another), else null, counted as a miss. */
    public Slab tryAcquire(long bytes) {
        return tryAcquireAt(bytes, homeIndex());
    }

    /** As {@link #tryAcquire(long)}, preferring node {@code node}. */
    public Slab tryAcquire(long bytes, int node) {
        int i = topology.indexOfNode(node);
        if (i < 0) {
            throw new IllegalArgumentException("node=" + node + " reason=unknown-node " + topology);
        }
        return tryAcquireAt(bytes, i);
    }

    private Slab tryAcquireAt(long bytes, int nodeIndex) {
        int c = classes.indexFor(bytes);
        checkOpen();
        Slab s = take(c, nodeIndex);
        if (s == null) {
            subs[nodeIndex][c].countMiss();
        }
        return s;
    }

    /**
     * A slab of at least {@code bytes}, waiting up to {@code timeout} for one to be released.
     *
     * @return the slab, or null on timeout or when the pool closed meanwhile (counted as a miss)
     */
    public Slab acquire(long bytes, long timeout, TimeUnit unit) throws InterruptedException {
        int c = classes.indexFor(bytes);
        int ni = homeIndex();
        checkOpen();
        Slab s = take(c, ni);
        if (s != null) {
            return s;
        }
        SubPool home = subs[ni][c];
        home.countWait();
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        home.waiters.incrementAndGet();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed.get()) {
                    home.countMiss();
                    return null;
                }
                synchronized (home.waitLock) {
                    // Checked under the lock after announcing ourselves: a release after this check sees the
                    // waiter count and notifies, so no wake-up is lost.
                    if (!home.hasFree() && !closed.get()) {
                        TimeUnit.NANOSECONDS.timedWait(home.waitLock,
                                subs.length > 1 ? Math.min(left, CROSS_NODE_POLL_NANOS) : left);
                    }
                }
                s = take(c, ni);
                if (s != null) {
                    return s;
                }
            }
        } finally {
            home.waiters.decrementAndGet();
        }
    }

    /** Own node, then growth, then any other node's free slab of the class. */
    private Slab take(int c, int nodeIndex) {
        SubPool home = subs[nodeIndex][c];
        Slab s = home.pop();
        if (s != null || closed.get()) {
            return s;
        }
        // Popped again even when grow says no: another thread may have carved while we looked.
        home.grow();
        if ((s = home.pop()) != null) {
            return s;
        }
        for (int n = 0; n < subs.length && s == null; n++) {
            s = n == nodeIndex ? null : subs[n][c].pop();
        }
        return s;
    }

    private int homeIndex() {
        if (subs.length == 1) {
            return 0;
        }
        if (Thread.currentThread() instanceof PinnedThread p && p.nodeIndex() >= 0) {
            return p.nodeIndex();
        }
        int i = topology.indexOfNode(LinuxSched.currentNode());
        return Math.max(i, 0);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("slab_pool=closed reason=acquire-after-close");
        }
    }

    /** Carves what class {@code c} left of {@code region} into the smaller classes of the same node. */
    void donateTail(Region region, long offset, int c) {
        int ni = topology.indexOfNode(region.node());
        for (int k = c - 1; k >= 0 && offset < region.byteSize(); k--) {
            offset = subs[ni][k].carveFrom(region, offset);
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Slabs held now, over all classes and nodes. */
    public long outstanding() {
        long n = 0;
        for (SubPool[] row : subs) {
            for (SubPool p : row) {
                n += p.outstanding();
            }
        }
        return n;
    }

    /** {@code outstanding=3 classes=68KiB:1,1032KiB:2}, or {@code outstanding=0}. */
    public String leakReport() {
        Map<Long, Long> byClass = new TreeMap<>();
        for (SubPool[] row : subs) {
            for (SubPool p : row) {
                long n = p.outstanding();
                if (n > 0) {
                    byClass.merge(p.slabBytes(), n, Long::sum);
                }
            }
        }
        long total = byClass.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder b = new StringBuilder("outstanding=").append(total);
        String sep = " classes=";
        for (var e : byClass.entrySet()) {
            b.append(sep).append(Bytes.format(e.getKey())).append(':').append(e.getValue());
            sep = ",";
        }
        return b.toString();
    }

    public SlabPoolStats stats() {
        List<SlabPoolStats.ClassStats> list = new ArrayList<>();
        for (SubPool[] row : subs) {
            for (SubPool p : row) {
                list.add(p.stats());
            }
        }
        return new SlabPoolStats(budget.budget(), budget.reserved(), budget.reservedByKind(), budget.hugeBacked(),
                budget.failures(), budget.lastFailure(), List.copyOf(list));
    }

    public long budget() {
        return budget.budget();
    }

    public SizeClasses classes() {
        return classes;
    }

    /** {@code slab_budget=64MiB slab_classes=68KiB,... hugepages=thp reserved=8MiB huge_backed=8MiB}. */
    public String describe() {
        return "slab_budget=" + Bytes.format(budget.budget()) + " slab_classes=" + classes + " hugepages="
                + pages.preferredKind() + " reserved=" + Bytes.format(budget.reserved()) + " huge_backed="
                + Bytes.format(budget.hugeBacked());
    }

    /**
     * Reports slabs still held (logged, and kept in {@link #leakReport()}: after close every slab counts as held
     * or not as it was), wakes waiters, and unmaps every region. Segments of slabs still held fail on use.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        String report = leakReport();
        if (outstanding() > 0) {
            LOG.warn("slab_pool=closed leak=true " + report);
        }
        for (SubPool[] row : subs) {
            for (SubPool p : row) {
                synchronized (p.waitLock) {
                    p.waitLock.notifyAll();
                }
            }
        }
        budget.closeAll();
    }
}
