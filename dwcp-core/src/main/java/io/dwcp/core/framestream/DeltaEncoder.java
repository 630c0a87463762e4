package io.dwcp.core.framestream;

import io.dwcp.simd.DeltaKernel;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The sending half of the delta codec: XORs a frame against its key's cached frame, or against zeros when
 * there is none, and keeps only the pages that differ (the kernel skips equal pages in the same pass). The
 * cached frame may lie in several pool runs, so the kernel is called per stretch and each stretch's page map
 * is shifted into the frame's. Pages beyond the basis's last page are XORed against zeros, which is the same
 * as sending them literally with their zero pages skipped; a shorter frame just stops early.
 */
final class DeltaEncoder {
    private static final int PAGE = FrameStreamDescriptor.PAGE_SIZE;
    /** Longest stretch given to the kernel at once: bounds its scratch map. */
    private static final int STRETCH_PAGES = 1024;

    private final DeltaKernel kernel;
    private final long[] stretchMap = new long[STRETCH_PAGES / 64];

    DeltaEncoder(DeltaKernel kernel) {
        this.kernel = kernel;
    }

    /**
     * Encodes {@code target[off, off+len)} against {@code basis} (null: zeros). Writes the changed pages' XOR
     * bytes to {@code out} from {@code outOff} (room for {@code len} bytes needed there), sets {@code map}
     * (cleared first) and returns the bytes written.
     */
    long encode(FrameCache cache, FrameCache.Entry basis, MemorySegment target, long off, int len,
                MemorySegment out, long outOff, long[] map) {
        Arrays.fill(map, 0, PageMaps.words(len), 0L);
        long written = 0;
        long at = 0;
        if (basis != null) {
            // The cache keeps the tail of a frame's last page zero, so the basis reads as zero-extended to there.
            long basisEnd = Math.min(len, (long) FrameDeltaDescriptor.pageCount(basis.length) * PAGE);
            Extents x = basis.extents;
            for (int i = 0; i < x.runs() && at < basisEnd; i++) {
                MemorySegment run = cache.runSegment(basis, i);
                long runOff = cache.runOffset(basis, i);
                long runEnd = Math.min(basisEnd, at + (long) x.count(i) * PAGE);
                while (at < runEnd) {
                    long n = Math.min(runEnd - at, (long) STRETCH_PAGES * PAGE);
                    written += stretch(run, runOff, target, off, at, n, out, outOff + written, map);
                    runOff += n;
                    at += n;
                }
            }
        }
        while (at < len) {
            long n = Math.min(len - at, Zeros.BLOCK.byteSize());
            written += stretch(Zeros.BLOCK, 0, target, off, at, n, out, outOff + written, map);
            at += n;
        }
        return written;
    }

    private long stretch(MemorySegment basis, long basisOff, MemorySegment target, long targetOff, long at, long n,
                         MemorySegment out, long outOff, long[] map) {
        long w = kernel.encode(basis, basisOff, target, targetOff + at, n, out, outOff, stretchMap);
        PageMaps.orShifted(map, (int) (at / PAGE), stretchMap, FrameDeltaDescriptor.pageCount(n));
        return w;
    }
}
