package io.dwcp.zerocopy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A socket that can send with {@code MSG_ZEROCOPY} and report the kernel's completions. The native data socket
 * provides one; {@link ZeroCopySender} holds each buffer until its completion comes back.
 */
public interface ZeroCopyChannel {
    /** Receives completed ranges of send ids; implemented by the sender itself, so reaping allocates nothing. */
    interface CompletionSink {
        void completed(int firstId, int lastId, boolean copied);
    }

    /** Sends up to {@code len} bytes without copying them; returns how many the kernel took. */
    long send(MemorySegment src, long off, long len) throws IOException;

    /** Hands every completion queued on the socket's error queue to {@code sink}; returns how many ranges. */
    int reap(CompletionSink sink) throws IOException;

    /** Waits up to {@code timeoutMillis} for a completion to be queued; false when none came. */
    boolean await(int timeoutMillis) throws IOException;
}
