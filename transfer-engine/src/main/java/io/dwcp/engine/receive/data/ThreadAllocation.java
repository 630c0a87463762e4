package io.dwcp.engine.receive.data;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated by the calling thread, so each data-plane thread can report what it allocated while it
 * served a session: the steady state of the data plane is meant to allocate nothing, and this shows it.
 */
final class ThreadAllocation {
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
    static long current() {
        return THREADS == null ? -1 : THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Bytes allocated since {@code start} (a {@link #current()} value); 0 when the JVM cannot say. */
    static long since(long start) {
        return start < 0 ? 0 : current() - start;
    }
}
