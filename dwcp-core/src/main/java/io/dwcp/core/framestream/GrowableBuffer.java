package io.dwcp.core.framestream;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Off-heap scratch that grows to the largest request seen (at least doubling, never past its limit) and is
 * then reused: a stream of 2 MiB frames holds 2 MiB buffers even when its limit is 1 GiB. Each size lives in
 * its own arena, closed when the buffer grows or closes, so nothing waits for the garbage collector.
 */
final class GrowableBuffer implements AutoCloseable {
    private static final long MIN = 64 * 1024;

    private final long limit;
    private Arena arena;
    private MemorySegment segment = MemorySegment.NULL;
    private ByteBuffer buffer;

    GrowableBuffer(long limit) {
        this.limit = limit;
    }

    /** A segment of at least {@code n} bytes ({@code n} at most the limit). */
    MemorySegment ensure(long n) {
        if (n > segment.byteSize()) {
            if (n > limit) {
                throw new IllegalArgumentException("reason=over-limit want=" + n + " limit=" + limit);
            }
            long cap = Math.min(limit, Math.max(n, Math.max(MIN, 2 * segment.byteSize())));
            close();
            arena = Arena.ofShared();
            segment = arena.allocate(cap, FrameStreamDescriptor.PAGE_SIZE);
            buffer = segment.asByteBuffer();
        }
        return segment;
    }

    long capacity() {
        return segment.byteSize();
    }

    /** The whole buffer as a ByteBuffer (position 0, limit = capacity), valid until it grows. */
    ByteBuffer buffer(long n) {
        ensure(n);
        return buffer.clear();
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
            arena = null;
            segment = MemorySegment.NULL;
            buffer = null;
        }
    }
}
