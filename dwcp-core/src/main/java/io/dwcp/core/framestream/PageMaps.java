package io.dwcp.core.framestream;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Page maps as {@code long[]}: bit {@code p & 63} of word {@code p >>> 6} is page {@code p}, as the delta
 * kernels set them.
 */
final class PageMaps {
    private static final int PAGE = FrameStreamDescriptor.PAGE_SIZE;
    /** Map words on the wire, as {@link io.dwcp.core.frame.PageMapDescriptor} has them. */
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private PageMaps() {
    }

    /** Writes the map of a frame of {@code length} bytes at {@code seg[at, ...)}. */
    static void write(long[] map, long length, MemorySegment seg, long at) {
        for (int w = 0; w < words(length); w++) {
            seg.set(WORD, at + (long) w * Long.BYTES, map[w]);
        }
    }

    /** Reads the map of a frame of {@code length} bytes from {@code seg[at, ...)}. */
    static void read(MemorySegment seg, long at, long length, long[] map) {
        for (int w = 0; w < words(length); w++) {
            map[w] = seg.get(WORD, at + (long) w * Long.BYTES);
        }
    }

    static int words(long length) {
        return (FrameDeltaDescriptor.pageCount(length) + 63) >>> 6;
    }

    /** Bytes of XOR data the map announces for a frame of {@code length}: whole pages, the last one short. */
    static long payloadLength(long[] map, long length) {
        int words = words(length);
        long pages = 0;
        for (int i = 0; i < words; i++) {
            pages += Long.bitCount(map[i]);
        }
        long bytes = pages * PAGE;
        int tail = (int) (length % PAGE);
        if (tail != 0 && isSet(map, FrameDeltaDescriptor.pageCount(length) - 1)) {
            bytes -= PAGE - tail;
        }
        return bytes;
    }

    static long bitCount(long[] map, long length) {
        int words = words(length);
        long n = 0;
        for (int i = 0; i < words; i++) {
            n += Long.bitCount(map[i]);
        }
        return n;
    }

    static boolean isSet(long[] map, int page) {
        return (map[page >>> 6] & (1L << page)) != 0;
    }

    /** True when no bit at or beyond {@code pages} is set in the map's {@code words(length)} words. */
    static boolean noneBeyond(long[] map, long length) {
        int pages = FrameDeltaDescriptor.pageCount(length);
        int words = words(length);
        int used = pages & 63;
        return used == 0 || words == 0 || (map[words - 1] & (-1L << used)) == 0;
    }

    /** ORs the first {@code bits} bits of {@code src} into {@code dst} starting at bit {@code at}. */
    static void orShifted(long[] dst, int at, long[] src, int bits) {
        int words = (bits + 63) >>> 6;
        for (int w = 0; w < words; w++) {
            long v = src[w];
            int left = bits - (w << 6);
            if (left < 64) {
                v &= (1L << left) - 1;
            }
            if (v == 0) {
                continue;
            }
            int bit = at + (w << 6);
            int idx = bit >>> 6;
            int sh = bit & 63;
            dst[idx] |= v << sh;
            if (sh != 0 && (v >>> (64 - sh)) != 0) {
                dst[idx + 1] |= v >>> (64 - sh);
            }
        }
    }

    /** The first page at or after {@code from} whose bit equals {@code set}, or {@code pages} if none. */
    static int next(long[] map, int from, int pages, boolean set) {
        if (from >= pages) {
            return pages;
        }
        int w = from >>> 6;
        long bits = (set ? map[w] : ~map[w]) & (-1L << from);
        int words = (pages + 63) >>> 6;
        while (bits == 0) {
            if (++w == words) {
                return pages;
            }
            bits = set ? map[w] : ~map[w];
        }
        return Math.min(pages, (w << 6) + Long.numberOfTrailingZeros(bits));
    }
}
