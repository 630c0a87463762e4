package io.dwcp.core.frame;

import io.dwcp.core.DwcpException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Layout of the payload of the page codecs ({@link Codec#PAGES}, {@link Codec#XOR} and their LZ4 forms, after LZ4
 * decoding): which 4 KiB pages of the block travel, then those pages.
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  | page map: ceil(pages / 64) 64-bit words, little-endian;       |  pages = ceil(length / 4096)
 *  | bit p % 64 of word p / 64 set = page p travels                |
 *  +---------------------------------------------------------------+
 *  | the pages that travel, in page order: 4096 bytes each, the    |
 *  | block's last page as long as the block leaves it              |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * PAGES carries a page's new bytes; XOR carries new XOR basis. Pages not in the map are the basis page as it is.
 * Bits beyond the block's last page must be zero, and the payload must be exactly the map plus its pages.
 */
public final class PageMapDescriptor {
    public static final int PAGE = 4096;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private PageMapDescriptor() {
    }

    /** Pages of a block of {@code length} bytes. */
    public static int pages(int length) {
        return (length + PAGE - 1) / PAGE;
    }

    /** Words of the page map of a block of {@code length} bytes. */
    public static int mapWords(int length) {
        return (pages(length) + 63) / 64;
    }

    /** Bytes of the page map of a block of {@code length} bytes. */
    public static int mapBytes(int length) {
        return mapWords(length) * Long.BYTES;
    }

    /** Largest payload of a block of {@code length} bytes: every page travels. */
    public static int maxPayload(int length) {
        return mapBytes(length) + length;
    }

    /** Length of page {@code p} of a block of {@code length} bytes. */
    public static int pageLength(int length, int p) {
        return Math.min(PAGE, length - p * PAGE);
    }

    /** True when page {@code p} is in {@code map}. */
    public static boolean has(long[] map, int p) {
        return (map[p >>> 6] & (1L << (p & 63))) != 0;
    }

    /** Puts page {@code p} in {@code map}. */
    public static void set(long[] map, int p) {
        map[p >>> 6] |= 1L << (p & 63);
    }

    /** The first page from {@code p} on that is in {@code map}, or {@code pages} when none is. */
    public static int nextIn(long[] map, int pages, int p) {
        while (p < pages && !has(map, p)) {
            p++;
        }
        return p;
    }

    /** The first page from {@code p} on that is not in {@code map} (the end of the run starting at {@code p}). */
    public static int nextOut(long[] map, int pages, int p) {
        while (p < pages && has(map, p)) {
            p++;
        }
        return p;
    }

    /** Writes {@code map} (its first {@link #mapWords} words) at {@code at}. */
    public static void writeMap(long[] map, int length, MemorySegment payload, long at) {
        int words = mapWords(length);
        for (int w = 0; w < words; w++) {
            payload.set(WORD, at + (long) w * Long.BYTES, map[w]);
        }
    }

    /**
     * Reads the page map of a payload of {@code payloadLength} bytes for a block of {@code length} bytes into
     * {@code map}, and checks it: no bit beyond the last page, and the payload exactly the map and its pages.
     * Returns the number of pages in the map.
     */
    public static int readMap(MemorySegment payload, int payloadLength, int length, long[] map) throws DwcpException {
        int words = mapWords(length);
        if (payloadLength < words * Long.BYTES) {
            throw DwcpException.protocol("frame=data reason=page-map-truncated payload=" + payloadLength);
        }
        int pages = pages(length);
        long expected = (long) words * Long.BYTES;
        int present = 0;
        for (int w = 0; w < words; w++) {
            long bits = payload.get(WORD, (long) w * Long.BYTES);
            int valid = Math.min(64, pages - w * 64);
            if (valid < 64 && (bits >>> valid) != 0) {
                throw DwcpException.protocol("frame=data reason=page-beyond-block length=" + length);
            }
            map[w] = bits;
            int n = Long.bitCount(bits);
            present += n;
            expected += (long) n * PAGE;
        }
        int last = pages - 1;
        if ((map[last >>> 6] & (1L << (last & 63))) != 0) {
            expected -= PAGE - pageLength(length, last);
        }
        if (expected != payloadLength) {
            throw DwcpException.protocol("frame=data reason=page-payload-mismatch payload=" + payloadLength + " want="
                    + expected);
        }
        return present;
    }
}
