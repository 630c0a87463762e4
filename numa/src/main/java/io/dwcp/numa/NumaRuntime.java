package io.dwcp.numa;

import io.dwcp.numa.linux.LinuxMemory;

/**
 * The data plane's host resources in one place: the topology, the pinned workers and the slab pool, each
 * with its fallback chosen once here. {@code dwcp serve} logs {@link #describe()} at start; the engine takes
 * {@link #workers()} and {@link #slabs()}.
 */
public final class NumaRuntime implements AutoCloseable {
    private final Topology topology;
    private final HugePages hugePages;
    private final SlabPool slabs;
    private final WorkerGroup workers;

    private NumaRuntime(Topology topology, HugePages hugePages, SlabPool slabs, WorkerGroup workers) {
        this.topology = topology;
        this.hugePages = hugePages;
        this.slabs = slabs;
        this.workers = workers;
    }

    /**
     * Reads the topology, builds the slab pool and starts the workers.
     *
     * @throws IllegalArgumentException for a CPU list this process cannot use
     * @throws IllegalStateException    for {@code --hugepages require} without reserved huge pages (with the fix)
     */
    public static NumaRuntime start(NumaOptions options) throws InterruptedException {
        return start(options, Topology.detect());
    }

    /** As {@link #start(NumaOptions)} over a given topology. */
    public static NumaRuntime start(NumaOptions options, Topology topology) throws InterruptedException {
        HugePages pages = HugePages.create(options.hugePages(), topology.nodeCount());
        SlabPool pool = new SlabPool(options.slabBudget(), options.classes(), pages, topology);
        try {
            WorkerGroup group = WorkerGroup.start(options.workers(), options.pin(), topology, options.queueCapacity());
            return new NumaRuntime(topology, pages, pool, group);
        } catch (RuntimeException | InterruptedException e) {
            pool.close();
            throw e;
        }
    }

    public Topology topology() {
        return topology;
    }

    public HugePages hugePages() {
        return hugePages;
    }

    public SlabPool slabs() {
        return slabs;
    }

    public WorkerGroup workers() {
        return workers;
    }

    /**
     * One line for the start-up log: {@code workers=2 pin=0-1 pinned=2/2 nodes=1 topology=sysfs hugepages=thp
     * slab_budget=64MiB mempolicy=native}. Each fallback in use shows in it.
     */
    public String describe() {
        String source = topology.fromSysfs() ? "sysfs" : "fallback";
        String policy = topology.nodeCount() < 2 ? "single-node" : LinuxMemory.policyAvailable() ? "native" : "unavailable";
        return workers.describe() + " nodes=" + topology.nodeCount() + " topology=" + source + " hugepages="
                + hugePages.preferredKind() + " slab_budget=" + Bytes.format(slabs.budget()) + " mempolicy=" + policy;
    }

    /** Joins the workers, then reports leaked slabs and unmaps the pool. */
    @Override
    public void close() {
        try {
            workers.close();
        } finally {
            slabs.close();
        }
    }
}
