package io.dwcp.simd;

import static io.dwcp.simd.DeltaFixtures.PAGE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dwcp.simd.DeltaFixtures.Kind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** firstDifference against {@link MemorySegment#mismatch}, stale page maps, identical inputs, bad arguments. */
class DeltaKernelEdgeTest {
    private static final DeltaKernel[] KERNELS = {DeltaKernels.vector(), DeltaKernels.scalar()};

    @Test
    void firstDifferenceHasMismatchSemantics() {
        SplittableRandom r = new SplittableRandom(3);
        int differing = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (long len : DeltaFixtures.lengths()) {
                for (int trial = 0; trial < 3; trial++) {
                    Kind kind = Kind.values()[r.nextInt(2)];
                    int aOff = r.nextInt(64);
                    int bOff = r.nextInt(64);
                    MemorySegment a = DeltaFixtures.segment(kind, aOff + len + 64, arena, r);
                    MemorySegment b = DeltaFixtures.segment(kind, bOff + len + 64, arena, r);
                    b.asSlice(bOff, len).copyFrom(a.asSlice(aOff, len));
                    if (trial > 0 && len > 0) { // trial 0 stays equal (over equal ranges in unequal segments)
                        long at = trial == 1 ? len - 1 - r.nextLong(Math.min(len, 80)) : r.nextLong(len);
                        b.set(ValueLayout.JAVA_BYTE, bOff + at, (byte) ~a.get(ValueLayout.JAVA_BYTE, aOff + at));
                        if (r.nextBoolean() && at + 1 < len) { // a later second difference must not matter
                            long later = at + 1 + r.nextLong(len - at - 1);
                            b.set(ValueLayout.JAVA_BYTE, bOff + later, (byte) ~a.get(ValueLayout.JAVA_BYTE, aOff + later));
                        }
                        differing++;
                    }
                    long want = MemorySegment.mismatch(a, aOff, aOff + len, b, bOff, bOff + len);
                    for (DeltaKernel k : KERNELS) {
                        assertEquals(want, k.firstDifference(a, aOff, b, bOff, len), k.name() + " len=" + len);
                    }
                }
            }
        }
        assertEquals(2 * (DeltaFixtures.lengths().size() - 1), differing);
    }

    @Test
    void identicalInputsGiveNothingAndClearAStaleMap() {
        SplittableRandom r = new SplittableRandom(9);
        try (Arena arena = Arena.ofConfined()) {
            for (long len : new long[] {0, 1, PAGE - 1, PAGE, 10L * PAGE + 5, 64L * PAGE, 130L * PAGE + 1}) {
                for (Kind kind : Kind.values()) {
                    MemorySegment basis = DeltaFixtures.segment(kind, len, arena, r);
                    MemorySegment target = DeltaFixtures.copyOf(basis, arena);
                    for (DeltaKernel k : KERNELS) {
                        long[] map = new long[DeltaKernels.mapWords(len) + 2];
                        Arrays.fill(map, -1L);
                        MemorySegment out = arena.allocate(Math.max(1, len), 1);
                        assertEquals(0, k.encode(basis, 0, target, 0, len, out, 0, map), k.name() + " len=" + len);
                        long[] want = new long[map.length];
                        Arrays.fill(want, DeltaKernels.mapWords(len), want.length, -1L); // beyond the range: untouched
                        assertArrayEquals(want, map, k.name() + " len=" + len);
                        // and an empty delta applies as nothing
                        MemorySegment data = DeltaFixtures.copyOf(basis, arena);
                        assertEquals(0, k.apply(data, 0, len, out, 0, Arrays.copyOf(map, DeltaKernels.mapWords(len))));
                        assertEquals(-1, data.mismatch(basis));
                    }
                }
            }
        }
    }

    @Test
    void staleBitsAreClearedWhenOnlySomePagesChange() {
        long len = 70L * PAGE + 100; // two map words, short last page
        byte[] basis = new byte[(int) len];
        new SplittableRandom(4).nextBytes(basis);
        byte[] target = basis.clone();
        target[5 * PAGE + 17] ^= 1;
        target[(int) len - 1] ^= 2; // the short last page, page 70
        for (DeltaKernel k : KERNELS) {
            long[] map = {-1L, -1L, -1L};
            byte[] out = new byte[(int) len];
            assertEquals(PAGE + 100, k.encode(basis, target, out, map), k.name());
            assertArrayEquals(new long[] {1L << 5, 1L << (70 - 64), -1L}, map, k.name());
            assertEquals(1, out[17], k.name());
            assertEquals(2, out[PAGE + 99], k.name());
            byte[] data = basis.clone();
            assertEquals(PAGE + 100, k.apply(data, Arrays.copyOf(out, PAGE + 100), map));
            assertArrayEquals(target, data, k.name());
        }
    }

    @Test
    void heapSegmentsOverOtherArraysWork() {
        // The Vector API reads heap segments over byte[] only; the vector kernel hands these to the scalar twin.
        long[] words = new SplittableRandom(8).longs(3 * PAGE / 8 + 5).toArray();
        long[] changed = words.clone();
        changed[PAGE / 8 + 3] ^= 0xFF00;
        MemorySegment basis = MemorySegment.ofArray(words);
        MemorySegment target = MemorySegment.ofArray(changed);
        long len = basis.byteSize();
        for (DeltaKernel k : KERNELS) {
            MemorySegment out = MemorySegment.ofArray(new long[words.length]);
            long[] map = new long[1];
            assertEquals(PAGE, k.encode(basis, 0, target, 0, len, out, 0, map), k.name());
            assertArrayEquals(new long[] {0b10}, map, k.name());
            assertEquals(basis.mismatch(target), k.firstDifference(basis, 0, target, 0, len), k.name());
            MemorySegment data = MemorySegment.ofArray(words.clone());
            k.apply(data, 0, len, out, 0, map);
            assertEquals(-1, data.mismatch(target), k.name());
            // read-only inputs over long[] too
            assertEquals(PAGE, k.encode(basis.asReadOnly(), 0, target.asReadOnly(), 0, len, out, 0, map), k.name());
        }
    }

    @Test
    void readOnlyInputsOverByteArraysAndSlicesWork() {
        byte[] basis = new byte[5 * PAGE + 3];
        new SplittableRandom(12).nextBytes(basis);
        byte[] target = basis.clone();
        target[2 * PAGE + 1] ^= 4;
        for (DeltaKernel k : KERNELS) {
            MemorySegment b = MemorySegment.ofArray(basis).asReadOnly().asSlice(3);
            MemorySegment t = MemorySegment.ofArray(target).asReadOnly().asSlice(3);
            MemorySegment out = MemorySegment.ofArray(new byte[basis.length]);
            long[] map = new long[1];
            assertEquals(PAGE, k.encode(b, 0, t, 0, b.byteSize(), out, 0, map), k.name());
            assertArrayEquals(new long[] {0b10}, map, k.name()); // array byte 2*PAGE+1 is slice byte 2*PAGE-2: page 1
            assertEquals(4, out.get(ValueLayout.JAVA_BYTE, PAGE - 2), k.name());
            assertEquals(2L * PAGE - 2, k.firstDifference(b, 0, t, 0, b.byteSize()), k.name());
        }
    }

    @Test
    void badArgumentsThrowBeforeAnythingIsWritten() {
        byte[] basis = new byte[3 * PAGE];
        byte[] target = new byte[3 * PAGE];
        target[0] = 1;
        for (DeltaKernel k : KERNELS) {
            MemorySegment b = MemorySegment.ofArray(basis);
            MemorySegment t = MemorySegment.ofArray(target);
            byte[] small = new byte[3 * PAGE - 1];
            long[] map = {-1L};
            assertThrows(IndexOutOfBoundsException.class,
                    () -> k.encode(b, 0, t, 0, 3 * PAGE, MemorySegment.ofArray(small), 0, map), k.name());
            assertEquals(0, small[0], "out untouched by " + k.name());
            assertEquals(-1L, map[0], "map untouched by " + k.name());
            assertThrows(IndexOutOfBoundsException.class,
                    () -> k.encode(b, 1, t, 0, 3 * PAGE, MemorySegment.ofArray(new byte[3 * PAGE]), 0, map));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> k.encode(b, 0, t, 0, 3 * PAGE, MemorySegment.ofArray(new byte[3 * PAGE]), 0, new long[0]));
            // a bit for page 3 of a 3-page range
            assertThrows(IllegalArgumentException.class,
                    () -> k.apply(b, 0, 3 * PAGE, t, 0, new long[] {0b1000}), k.name());
            // two pages asked for, one page of payload
            assertThrows(IndexOutOfBoundsException.class,
                    () -> k.apply(b, 0, 3 * PAGE, MemorySegment.ofArray(new byte[PAGE]), 0, new long[] {0b11}));
            assertEquals(0, basis[0], "data untouched by " + k.name());
            assertThrows(IndexOutOfBoundsException.class, () -> k.firstDifference(b, 1, t, 0, 3 * PAGE));
            assertThrows(IndexOutOfBoundsException.class, () -> k.xorInto(b, 0, t, 0, 3 * PAGE + 1));
        }
    }
}
