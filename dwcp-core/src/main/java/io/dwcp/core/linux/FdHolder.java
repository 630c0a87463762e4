package io.dwcp.core.linux;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps an fd number from being closed (and reused by the kernel for some other file) while a call on it is
 * in flight. Calls bracket themselves with {@link #enter()}/{@link #exit()}; {@link #close()} marks the holder
 * closed, runs the wake-up action (shutdown for sockets, so blocked readers return), and the last call to leave
 * closes the fd. Two atomic operations per call, no allocation.
 */
public final class FdHolder {
    private static final int CLOSED = Integer.MIN_VALUE;

    private final int fd;
    private final AtomicInteger state = new AtomicInteger();
    private final Runnable wake;
    private final Runnable release;

    /**
     * @param wake run once by {@link #close()} before the fd may go (may be null)
     * @param release closes the fd and anything tied to it; runs exactly once, when no call is inside
     */
    public FdHolder(int fd, Runnable wake, Runnable release) {
        this.fd = fd;
        this.wake = wake;
        this.release = release;
    }

    public int fd() {
        return fd;
    }

    /** False when closed: the caller must not touch the fd. */
    public boolean enter() {
        for (;;) {
            int s = state.get();
            if (s < 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    public void exit() {
        if (state.decrementAndGet() == CLOSED) {
            release.run();
        }
    }

    public boolean isClosed() {
        return state.get() < 0;
    }

    /** Idempotent. Holds a use itself while waking, so the fd cannot be released under the wake-up call. */
    public void close() {
        for (;;) {
            int s = state.get();
            if (s < 0) {
                return;
            }
            if (state.compareAndSet(s, (s + 1) | CLOSED)) {
                try {
                    if (wake != null) {
                        wake.run();
                    }
                } finally {
                    exit();
                }
                return;
            }
        }
    }
}
