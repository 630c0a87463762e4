package io.dwcp.core.concurrent;

import java.util.concurrent.atomic.AtomicLong;

/** A bound on bytes held across a process: taken before an allocation, given back after it, never exceeded. */
public final class ByteBudget {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    public ByteBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code bytes} when they fit under the limit; false (and nothing taken) when they do not. */
    public boolean take(long bytes) {
        while (true) {
            long h = held.get();
            if (bytes > limit - h) {
                return false;
            }
            if (held.compareAndSet(h, h + bytes)) {
                return true;
            }
        }
    }

    /** Gives back {@code bytes} that {@link #take} took. */
    public void give(long bytes) {
        held.addAndGet(-bytes);
    }

    /** Bytes held now. */
    public long held() {
        return held.get();
    }
}
