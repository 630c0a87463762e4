package io.dwcp.engine.flow;

import io.dwcp.core.Limits;

/**
 * Which offered entries are finished, as both ends of a streamed file list see it. Entries finish in any order;
 * the window's low edge is the oldest unfinished id, and an id may be offered only while it is less than
 * {@code low + }{@link Limits#WINDOW_ENTRIES}. Both ends keep per-entry state in rings of that size indexed by
 * {@code id & MASK}, and this rule is what keeps two live ids from sharing a slot.
 *
 * <p>One monitor guards the ring: finishing is once per entry, and waiters are the one thread that offers.
 */
public final class EntryWindow {
    public static final int SIZE = Limits.WINDOW_ENTRIES;
    public static final int MASK = SIZE - 1;

    private final boolean[] finished = new boolean[SIZE];
    private long low;
    private long offered;

    /** Ids below this are all finished. */
    public synchronized long low() {
        return low;
    }

    /** Ids below this have been offered. */
    public synchronized long offered() {
        return offered;
    }

    /** True when entries up to {@code end} (exclusive) may be offered now. */
    public synchronized boolean fits(long end) {
        return end - low <= SIZE;
    }

    /** Records that ids up to {@code end} (exclusive) are offered; the caller checked {@link #fits}. */
    public synchronized void offer(long end) {
        if (end < offered || end - low > SIZE) {
            throw new IllegalStateException("offer beyond the window end=" + end + " low=" + low);
        }
        offered = end;
    }

    /** Marks {@code id} finished; returns false when it was not offered or already finished. */
    public synchronized boolean finish(long id) {
        if (id < low || id >= offered || finished[(int) (id & MASK)]) {
            return false;
        }
        finished[(int) (id & MASK)] = true;
        while (low < offered && finished[(int) (low & MASK)]) {
            finished[(int) (low & MASK)] = false;
            low++;
        }
        notifyAll();
        return true;
    }

    /** True when every offered entry is finished. */
    public synchronized boolean drained() {
        return low == offered;
    }

    /**
     * Waits until {@code end} fits, or until {@code millis} pass; returns whether it fits. The caller loops,
     * checking whether the transfer failed meanwhile.
     */
    public synchronized boolean awaitFits(long end, long millis) throws InterruptedException {
        if (!fits(end)) {
            wait(millis);
        }
        return fits(end);
    }

    /** Waits until every offered entry is finished, or until {@code millis} pass; returns whether they are. */
    public synchronized boolean awaitDrained(long millis) throws InterruptedException {
        if (low != offered) {
            wait(millis);
        }
        return low == offered;
    }

    /** Wakes waiters (the transfer failed): they look at its state. */
    public synchronized void wake() {
        notifyAll();
    }
}
