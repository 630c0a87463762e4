package io.dwcp.core.framestream;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.simd.DeltaKernel;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The receiving half of the delta codec: rebuilds a frame in the caller's memory from its basis (the cached
 * frame, zero-extended or cut to the new length, or zeros) and the changed pages' XOR bytes.
 */
final class FrameAssembler {
    private static final int PAGE = FrameStreamDescriptor.PAGE_SIZE;

    private final DeltaKernel kernel;

    FrameAssembler(DeltaKernel kernel) {
        this.kernel = kernel;
    }

    /**
     * Reads and checks the page map at the start of a page-map payload of {@code total} bytes (-1: no payload,
     * nothing changed) for a frame of {@code len} bytes: no bit beyond the last page, and the payload exactly
     * the map and its pages. Returns the bytes of pages after the map.
     */
    static long readMap(MemorySegment payload, int total, int len, long[] map, long key) throws DwcpException {
        if (total < 0) {
            Arrays.fill(map, 0, PageMaps.words(len), 0L);
            return 0;
        }
        int mapBytes = FrameDeltaDescriptor.mapLength(len);
        if (total < mapBytes) {
            throw DwcpException.protocol("frame=frame-delta reason=page-map-truncated key=" + key + " payload=" + total);
        }
        PageMaps.read(payload, 0, len, map);
        if (!PageMaps.noneBeyond(map, len)) {
            throw DwcpException.protocol("frame=frame-delta reason=page-beyond-frame key=" + key + " length=" + len);
        }
        long pages = PageMaps.payloadLength(map, len);
        if (total != mapBytes + pages) {
            throw DwcpException.protocol("frame=frame-delta reason=page-payload-mismatch key=" + key + " payload="
                    + total + " want=" + (mapBytes + pages));
        }
        return pages;
    }

    /**
     * Writes the frame of {@code len} bytes to {@code dst[off, off+len)}. {@code payload[at, at+payloadLength)}
     * holds exactly the XOR bytes {@code map} announces (checked by the caller); a null basis means zeros.
     */
    void assemble(FrameCache cache, FrameCache.Entry basis, long[] map, int len, MemorySegment payload, long at,
                  long payloadLength, MemorySegment dst, long off) throws DwcpException {
        long consumed;
        if (basis == null) {
            consumed = onZeros(map, len, payload, at, dst, off);
        } else {
            int keep = Math.min(basis.length, len);
            cache.copyOut(basis, keep, dst, off);
            Zeros.fill(dst, off + keep, len - keep);
            consumed = payloadLength == 0 ? 0 : kernel.apply(dst, off, len, payload, at, map);
        }
        if (consumed != payloadLength) {
            throw new DwcpException(ErrorCode.INTERNAL, "frame=frame-delta reason=payload-not-consumed consumed="
                    + consumed + " payload=" + payloadLength);
        }
    }

    /** Against zeros the XOR bytes are the pages themselves: copy them, zero the rest, one pass. */
    private static long onZeros(long[] map, int len, MemorySegment payload, long at, MemorySegment dst, long off) {
        int pages = FrameDeltaDescriptor.pageCount(len);
        long used = 0;
        for (int page = 0; page < pages; ) {
            int set = PageMaps.next(map, page, pages, true);
            long from = (long) page * PAGE;
            long to = Math.min(len, (long) set * PAGE);
            Zeros.fill(dst, off + from, to - from);
            if (set == pages) {
                break;
            }
            int clear = PageMaps.next(map, set, pages, false);
            long n = Math.min(len, (long) clear * PAGE) - (long) set * PAGE;
            MemorySegment.copy(payload, at + used, dst, off + (long) set * PAGE, n);
            used += n;
            page = clear;
        }
        return used;
    }
}
