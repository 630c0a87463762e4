package io.dwcp.core.framestream;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A block of zeros that is only ever read: the basis of pages a frame has beyond its basis (or of a frame
 * without one), and the source of zero fills, which then need no slice of the destination.
 */
final class Zeros {
    /** 256 KiB: 64 pages, one word of page map per kernel call, small enough to stay in L2. */
    static final MemorySegment BLOCK = Arena.global().allocate(256 * 1024, FrameStreamDescriptor.PAGE_SIZE);

    private Zeros() {
    }

    static void fill(MemorySegment dst, long off, long n) {
        while (n > 0) {
            long k = Math.min(n, BLOCK.byteSize());
            MemorySegment.copy(BLOCK, 0, dst, off, k);
            off += k;
            n -= k;
        }
    }
}
