package io.dwcp.core.linux;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps an fd number from being closed (and reused by the kernel for some other file) while a call on it is
 * in flight. Calls bracket themselves with {@link #enter()}/{@link #exit()}; {@link #close()} marks the holder
 * closed, runs the wake-up action (shutdown for sockets, so blocked readers return), and the last call to leave
 * closes the fd. Two atomic operations per call, no allocation.
 */
public final class FdHolder {
    private static final int CLOSED = Integer.MIN_VALUE;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FdHolder.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    /** Calls inside, with {@link #CLOSED} set once closed; a field, not an atomic object: a holder per file opened. */
    private volatile int state;
    private final Runnable wake;
    private final Runnable release;

    /** A file's fd: no wake-up, and the last call out closes it ({@link FdCalls#close}). */
    public FdHolder(int fd) {
        this(fd, null, null);
    }

    /**
     * @param wake run once by {@link #close()} before the fd may go (may be null)
     * @param release closes the fd and anything tied to it; runs exactly once, when no call is inside (null: closes
     *                the fd)
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
            int s = state;
            if (s < 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s + 1)) {
                return true;
            }
        }
    }

    public void exit() {
        if ((int) STATE.getAndAdd(this, -1) - 1 == CLOSED) {
            if (release == null) {
                FdCalls.close(fd);
            } else {
                release.run();
            }
        }
    }

    public boolean isClosed() {
        return state < 0;
    }

    /** Idempotent. Holds a use itself while waking, so the fd cannot be released under the wake-up call. */
    public void close() {
        for (;;) {
            int s = state;
            if (s < 0) {
                return;
            }
            if (STATE.compareAndSet(this, s, (s + 1) | CLOSED)) {
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
