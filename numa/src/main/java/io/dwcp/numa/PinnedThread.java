package io.dwcp.numa;

import io.dwcp.numa.linux.LinuxMemory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A data-plane platform thread that pins itself to its CPU before running its body (affinity can only be set
 * reliably by the thread itself, once it exists) and, with several nodes, prefers its node's memory for its
 * own page faults. What pinning achieved is read back and kept in {@link #pinResult()}.
 */
public final class PinnedThread extends Thread {
    private final int cpu;
    private final int node;
    private final int nodeIndex;
    private final boolean multiNode;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile PinResult pin;

    /** @param cpu the CPU to pin to, or -1 to leave the thread unpinned */
    PinnedThread(String name, int cpu, Topology topology, Runnable body) {
        super(null, body, name);
        this.cpu = cpu;
        this.node = cpu >= 0 ? topology.nodeOfCpu(cpu) : -1;
        this.nodeIndex = node >= 0 ? topology.indexOfNode(node) : -1;
        this.multiNode = topology.nodeCount() > 1;
        setDaemon(true);
    }

    @Override
    public void run() {
        try {
            pin = cpu >= 0 ? Affinity.pinCurrentThread(cpu) : Affinity.unpinned("pin=off");
            if (multiNode && pin.pinned()) {
                LinuxMemory.setMempolicy(LinuxMemory.MPOL_PREFERRED, node);
            }
        } finally {
            started.countDown();
        }
        super.run();
    }

    /** The CPU this thread pins itself to, or -1. */
    public int cpu() {
        return cpu;
    }

    /** Index in {@link Topology#nodes()} of its CPU's node, or -1 when unpinned. */
    public int nodeIndex() {
        return nodeIndex;
    }

    /** What pinning achieved; null until the thread has started. */
    public PinResult pinResult() {
        return pin;
    }

    /** Waits until the thread has pinned itself (or failed to); the result, or null on timeout. */
    public PinResult awaitPinned(long timeout, TimeUnit unit) throws InterruptedException {
        return started.await(timeout, unit) ? pin : null;
    }
}
