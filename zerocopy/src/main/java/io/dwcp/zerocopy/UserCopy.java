package io.dwcp.zerocopy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The read/write loop {@link DataFile#copyFrom} ends in when nothing better works (another file system, a file
 * with no fd, a kernel that refuses the in-kernel calls). The caller owns the buffer and passes it for every
 * range of one copy, so a copy allocates once, not per block.
 */
public final class UserCopy {
    /** Big enough that the per-call overhead vanishes, small enough to stay in a few cache-friendly pages. */
    public static final int BUFFER = 1 << 20;

    private UserCopy() {
    }

    /**
     * Copies {@code [0, length)} of {@code source} to {@code target} through a buffer of its own (one allocation for
     * the whole copy); a shorter source is copied as far as it goes. Returns the bytes copied.
     */
    public static long copy(DataFile source, DataFile target, long length) throws IOException {
        long n = Math.min(length, source.size());
        if (n <= 0) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            return copy(source, target, 0, n, arena.allocate(Math.min(BUFFER, n)));
        }
    }

    /**
     * Copies {@code [from, to)} of {@code source} to the same offsets in {@code target} through {@code buffer}
     * (native memory); returns where it stopped, which is less than {@code to} only when the source ended first.
     */
    public static long copy(DataFile source, DataFile target, long from, long to, MemorySegment buffer)
            throws IOException {
        int chunk = (int) Math.min(buffer.byteSize(), Integer.MAX_VALUE);
        long at = from;
        while (at < to) {
            int n = source.read(buffer, 0, (int) Math.min(chunk, to - at), at);
            if (n <= 0) { // -1 at the source's end; a regular file never reads 0 bytes short of it
                return at;
            }
            target.writeFully(buffer, 0, n, at);
            at += n;
        }
        return at;
    }
}
