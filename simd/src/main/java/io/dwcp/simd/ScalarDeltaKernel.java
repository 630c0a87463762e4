package io.dwcp.simd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The reference twin of {@link VectorDeltaKernel}: plain Java, one {@code long} (eight bytes) at a time, then
 * single bytes for the tail. Simple enough to be obviously right, which is what the property tests compare
 * the vector kernel against; also the fallback where the Vector API is absent or not compiled by C2.
 */
final class ScalarDeltaKernel implements DeltaKernel {
    static final ScalarDeltaKernel INSTANCE = new ScalarDeltaKernel();

    /** Little-endian so that the lowest set bit of an XOR names the first differing byte. */
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private ScalarDeltaKernel() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public long encode(MemorySegment basis, long bOff, MemorySegment target, long tOff, long len,
                       MemorySegment out, long outOff, long[] pageMap) {
        DeltaKernels.checkRange(basis, bOff, len);
        DeltaKernels.checkRange(target, tOff, len);
        DeltaKernels.checkRange(out, outOff, len);
        DeltaKernels.checkMap(pageMap, len);
        int pages = DeltaKernels.pageCount(len);
        long cursor = 0;
        long word = 0; // bits of the map word being filled: stored whole, which also clears stale bits
        for (int p = 0; p < pages; p++) {
            long at = (long) p * PAGE;
            int n = (int) Math.min(PAGE, len - at);
            if (xorPage(basis, bOff + at, target, tOff + at, out, outOff + cursor, n)) {
                cursor += n;
                word |= 1L << p; // shift counts are taken mod 64
            }
            if ((p & 63) == 63 || p == pages - 1) {
                pageMap[p >>> 6] = word;
                word = 0;
            }
        }
        return cursor;
    }

    /** out = b ^ t over n bytes; true when any byte of the XOR is non-zero. */
    private static boolean xorPage(MemorySegment b, long bo, MemorySegment t, long to, MemorySegment o, long oo,
                                   int n) {
        long acc = 0;
        int i = 0;
        for (; i <= n - 8; i += 8) {
            long x = b.get(LONG, bo + i) ^ t.get(LONG, to + i);
            o.set(LONG, oo + i, x);
            acc |= x;
        }
        for (; i < n; i++) {
            byte x = (byte) (b.get(BYTE, bo + i) ^ t.get(BYTE, to + i));
            o.set(BYTE, oo + i, x);
            acc |= x;
        }
        return acc != 0;
    }

    @Override
    public long apply(MemorySegment data, long dOff, long len, MemorySegment payload, long pOff, long[] pageMap) {
        DeltaKernels.checkRange(data, dOff, len);
        DeltaKernels.checkRange(payload, pOff, DeltaKernels.payloadLength(pageMap, len));
        int words = DeltaKernels.mapWords(len);
        long consumed = 0;
        for (int w = 0; w < words; w++) {
            for (long bits = pageMap[w]; bits != 0; bits &= bits - 1) {
                long at = ((long) w * 64 + Long.numberOfTrailingZeros(bits)) * PAGE;
                long n = Math.min(PAGE, len - at);
                xor(data, dOff + at, payload, pOff + consumed, n);
                consumed += n;
            }
        }
        return consumed;
    }

    @Override
    public long firstDifference(MemorySegment a, long aOff, MemorySegment b, long bOff, long len) {
        DeltaKernels.checkRange(a, aOff, len);
        DeltaKernels.checkRange(b, bOff, len);
        long i = 0;
        for (; i <= len - 8; i += 8) {
            long x = a.get(LONG, aOff + i) ^ b.get(LONG, bOff + i);
            if (x != 0) {
                return i + (Long.numberOfTrailingZeros(x) >>> 3);
            }
        }
        for (; i < len; i++) {
            if (a.get(BYTE, aOff + i) != b.get(BYTE, bOff + i)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void xorInto(MemorySegment dst, long dOff, MemorySegment src, long sOff, long len) {
        DeltaKernels.checkRange(dst, dOff, len);
        DeltaKernels.checkRange(src, sOff, len);
        xor(dst, dOff, src, sOff, len);
    }

    private static void xor(MemorySegment dst, long dOff, MemorySegment src, long sOff, long len) {
        long i = 0;
        for (; i <= len - 8; i += 8) {
            dst.set(LONG, dOff + i, dst.get(LONG, dOff + i) ^ src.get(LONG, sOff + i));
        }
        for (; i < len; i++) {
            dst.set(BYTE, dOff + i, (byte) (dst.get(BYTE, dOff + i) ^ src.get(BYTE, sOff + i)));
        }
    }
}
