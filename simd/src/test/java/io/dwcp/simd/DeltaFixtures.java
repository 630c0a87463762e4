package io.dwcp.simd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test data for the delta kernels: segments of both kinds at odd offsets, and sparsely changed copies. */
final class DeltaFixtures {
    static final int PAGE = DeltaKernel.PAGE;

    /** Where a segment's bytes live. */
    enum Kind { HEAP, NATIVE }

    private DeltaFixtures() {
    }

    /** Every length 0..300, and lengths around 1, 2, 3, 63, 64, 65 and 129 pages (map-word edges included). */
    static List<Long> lengths() {
        List<Long> out = new ArrayList<>();
        for (long n = 0; n <= 300; n++) {
            out.add(n);
        }
        for (int pages : new int[] {1, 2, 3, 63, 64, 65, 129}) {
            long at = (long) pages * PAGE;
            for (long d : new long[] {-257, -64, -9, -8, -1, 0, 1, 7, 8, 63, 64, 65, 300}) {
                out.add(at + d);
            }
        }
        return out;
    }

    /**
     * A segment of {@code size} bytes of the given kind filled with random bytes, so that a kernel reading or
     * writing outside its range shows up. Native segments come from {@code arena} with byte alignment only.
     */
    static MemorySegment segment(Kind kind, long size, Arena arena, SplittableRandom r) {
        MemorySegment s = kind == Kind.HEAP ? MemorySegment.ofArray(new byte[Math.toIntExact(size)])
                : arena.allocate(size, 1);
        for (long i = 0; i < size; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
        }
        return s;
    }

    /** A copy of {@code src} (same kind, same bytes). */
    static MemorySegment copyOf(MemorySegment src, Arena arena) {
        MemorySegment s = src.isNative() ? arena.allocate(src.byteSize(), 1)
                : MemorySegment.ofArray(new byte[Math.toIntExact(src.byteSize())]);
        s.copyFrom(src);
        return s;
    }

    /**
     * Changes {@code target[off, off+len)} sparsely: each page is left alone with probability {@code 1 - p};
     * a changed page gets 1..4 random bytes at random places within it (including the short last page's
     * last byte now and then), each guaranteed to differ from what was there.
     */
    static void changePages(MemorySegment target, long off, long len, double p, SplittableRandom r) {
        for (long at = 0; at < len; at += PAGE) {
            if (r.nextDouble() >= p) {
                continue;
            }
            long n = Math.min(PAGE, len - at);
            int changes = 1 + r.nextInt(4);
            for (int c = 0; c < changes; c++) {
                long i = r.nextInt(8) == 0 ? n - 1 : r.nextLong(n);
                long where = off + at + i;
                byte old = target.get(ValueLayout.JAVA_BYTE, where);
                target.set(ValueLayout.JAVA_BYTE, where, (byte) (old ^ (1 + r.nextInt(255))));
            }
        }
    }

    /** The encoding by definition, one byte at a time: the page map and the concatenated XOR of changed pages. */
    static Expected expected(MemorySegment basis, long bOff, MemorySegment target, long tOff, long len) {
        long[] map = new long[DeltaKernels.mapWords(len)];
        byte[] payload = new byte[Math.toIntExact(len)];
        int written = 0;
        for (long at = 0, p = 0; at < len; at += PAGE, p++) {
            int n = (int) Math.min(PAGE, len - at);
            boolean differs = false;
            for (int i = 0; i < n; i++) {
                byte x = (byte) (basis.get(ValueLayout.JAVA_BYTE, bOff + at + i)
                        ^ target.get(ValueLayout.JAVA_BYTE, tOff + at + i));
                payload[written + i] = x;
                differs |= x != 0;
            }
            if (differs) {
                written += n;
                map[(int) (p >>> 6)] |= 1L << p;
            }
        }
        return new Expected(map, MemorySegment.ofArray(payload).asSlice(0, written));
    }

    /** The page map and payload an encode must produce. */
    record Expected(long[] map, MemorySegment payload) {
    }
}
