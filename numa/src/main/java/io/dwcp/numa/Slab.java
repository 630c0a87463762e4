package io.dwcp.numa;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One slab of a {@link SlabPool}: a page-aligned off-heap segment of its class's size. The handle is created
 * once, when the slab is carved, and reused for every acquisition, so acquiring allocates nothing. Release it
 * exactly once per acquisition; a second release throws. Its segment fails on use after the pool is closed.
 *
 * <p>The check is on the handle's state, so a stale release that comes after the slab was acquired again
 * (by someone else) cannot be told from theirs: hand a slab to exactly one owner at a time.
 */
public final class Slab {
    private static final int FREE = 0;
    private static final int IN_USE = 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Slab.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SubPool owner;
    private final int index;
    private final MemorySegment segment;
    private final PageKind kind;
    private volatile int state;

    Slab(SubPool owner, int index, MemorySegment segment, PageKind kind) {
        this.owner = owner;
        this.index = index;
        this.segment = segment;
        this.kind = kind;
    }

    /** The whole slab; slice it for a frame. */
    public MemorySegment segment() {
        return segment;
    }

    /** Bytes in the slab: its class's size, at least what was asked for. */
    public long capacity() {
        return segment.byteSize();
    }

    /** The NUMA node whose memory this is. */
    public int node() {
        return owner.node();
    }

    /** What backs the slab. */
    public PageKind pageKind() {
        return kind;
    }

    /**
     * Returns the slab to its pool.
     *
     * @throws IllegalStateException when the slab is not held (released twice), counted in the pool's stats
     */
    public void release() {
        owner.release(this);
    }

    int index() {
        return index;
    }

    /** Pop made this thread the only owner; the volatile write publishes that to a releasing thread. */
    void markInUse() {
        state = IN_USE;
    }

    /** False when the slab was not in use: a double release. */
    boolean markFree() {
        return STATE.compareAndSet(this, IN_USE, FREE);
    }

    boolean inUse() {
        return state == IN_USE;
    }

    @Override
    public String toString() {
        return "slab class=" + Bytes.format(capacity()) + " node=" + node() + " index=" + index
                + " in_use=" + inUse();
    }
}
