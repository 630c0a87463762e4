package io.dwcp.core.concurrent;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated by the calling thread, so each data-plane thread can report what it allocated while it
 * served a session: the steady state of the data plane is meant to allocate nothing, and this shows it. The
 * digest warm-up uses it too, to tell a compiled loop from one that still allocates.
 */
public final class ThreadAllocation {
    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private ThreadAllocation() {
    }

    private static com.sun.management.ThreadMXBean threads() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported()) {
            if (!t.isThreadAllocatedMemoryEnabled()) {
                t.setThreadAllocatedMemoryEnabled(true);
            }
            return t;
        }
        return null;
    }

    /** Bytes this thread has allocated so far; -1 when the JVM cannot say. */
    public static long current() {
        return THREADS == null ? -1 : THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Bytes allocated since {@code start} (a {@link #current()} value); 0 when the JVM cannot say. */
    public static long since(long start) {
        return start < 0 ? 0 : current() - start;
    }
}
