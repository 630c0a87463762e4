package io.dwcp.simd;

import static io.dwcp.simd.DeltaFixtures.PAGE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.simd.DeltaFixtures.Expected;
import io.dwcp.simd.DeltaFixtures.Kind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property tests of the two delta kernels: on random data with random sparse page changes, at every tail
 * length 0..300 and around page and map-word multiples, at unaligned offsets, on heap and native segments,
 * both kernels must produce exactly the encoding computed by definition (so they agree with each other), leave
 * every byte outside their ranges alone, and invert each other's output.
 */
class DeltaKernelTest {
    private static final DeltaKernel VECTOR = DeltaKernels.vector();
    private static final DeltaKernel SCALAR = DeltaKernels.scalar();
    /** Bytes of random guard before and after every range; a kernel writing out of range changes them. */
    private static final int GUARD = 64;

    @Test
    void theVectorKernelIsRealAndChosenInThisJvm() {
        // Surefire runs with --add-modules jdk.incubator.vector and C2: if the vector kernel were not chosen
        // here, every comparison below would compare the scalar kernel with itself.
        assertTrue(VECTOR instanceof VectorDeltaKernel, VECTOR.name());
        int preferred = jdk.incubator.vector.LongVector.SPECIES_PREFERRED.vectorBitSize();
        int bits = Math.min(preferred, Integer.getInteger("dwcp.simd.bits", preferred)); // capped by the pom
        assertEquals("vector(" + bits + "-bit)", VECTOR.name());
        assertEquals(VECTOR.name(), DeltaKernels.get().name());
        assertEquals("scalar", SCALAR.name());
    }

    @Test
    void pageCountAndMapWords() {
        long[][] cases = {{0, 0, 0}, {1, 1, 1}, {PAGE, 1, 1}, {PAGE + 1, 2, 1}, {64L * PAGE, 64, 1},
            {64L * PAGE + 1, 65, 2}, {128L * PAGE, 128, 2}};
        for (long[] c : cases) {
            assertEquals(c[1], DeltaKernels.pageCount(c[0]), "pages of " + c[0]);
            assertEquals(c[2], DeltaKernels.mapWords(c[0]), "words of " + c[0]);
        }
    }

    @Test
    void bothKernelsEncodeByDefinitionAndInvertEachOther() {
        SplittableRandom r = new SplittableRandom(20261129);
        int cases = 0;
        for (long len : DeltaFixtures.lengths()) {
            for (Kind kind : Kind.values()) {
                double p = new double[] {0.0, 0.05, 0.3, 1.0}[r.nextInt(4)];
                try (Arena arena = Arena.ofConfined()) {
                    checkOneCase(len, kind, r.nextInt(64), r.nextInt(64), r.nextInt(64), p, arena, r);
                }
                cases++;
            }
        }
        assertEquals(DeltaFixtures.lengths().size() * 2, cases);
    }

    /** Mixed kinds in one call: heap basis, native target and out, and the other way round. */
    @Test
    void mixedHeapAndNativeSegments() {
        SplittableRandom r = new SplittableRandom(5);
        try (Arena arena = Arena.ofConfined()) {
            for (long len : new long[] {5000, 3 * PAGE + 13, 70L * PAGE}) {
                MemorySegment basis = DeltaFixtures.segment(Kind.HEAP, len, arena, r);
                MemorySegment target = arena.allocate(len, 1).copyFrom(basis);
                DeltaFixtures.changePages(target, 0, len, 0.2, r);
                Expected e = DeltaFixtures.expected(basis, 0, target, 0, len);
                for (DeltaKernel k : new DeltaKernel[] {VECTOR, SCALAR}) {
                    MemorySegment out = MemorySegment.ofArray(new byte[(int) len]);
                    long[] map = new long[DeltaKernels.mapWords(len)];
                    long n = k.encode(basis, 0, target, 0, len, out, 0, map);
                    assertArrayEquals(e.map(), map, k.name());
                    assertEquals(-1, out.asSlice(0, n).mismatch(e.payload()), k.name());
                    MemorySegment data = DeltaFixtures.copyOf(basis, arena);
                    assertEquals(n, k.apply(data, 0, len, out, 0, map));
                    assertEquals(-1, data.mismatch(target), k.name());
                }
            }
        }
    }

    private static void checkOneCase(long len, Kind kind, int bOff, int tOff, int outOff, double p, Arena arena,
                                     SplittableRandom r) {
        String what = "len=" + len + " kind=" + kind + " offsets=" + bOff + "/" + tOff + "/" + outOff + " p=" + p;
        MemorySegment basis = DeltaFixtures.segment(kind, bOff + len + GUARD, arena, r);
        MemorySegment target = DeltaFixtures.segment(kind, tOff + len + GUARD, arena, r);
        target.asSlice(tOff, len).copyFrom(basis.asSlice(bOff, len));
        DeltaFixtures.changePages(target, tOff, len, p, r);
        Expected e = DeltaFixtures.expected(basis, bOff, target, tOff, len);

        // Same garbage in both outputs and the same stale bits in both maps (one word more than the range).
        MemorySegment outTemplate = DeltaFixtures.segment(kind, outOff + len + GUARD, arena, r);
        long[] mapTemplate = r.longs(DeltaKernels.mapWords(len) + 1).toArray();
        MemorySegment[] outs = new MemorySegment[2];
        long[][] maps = new long[2][];
        long[] written = new long[2];
        DeltaKernel[] kernels = {VECTOR, SCALAR};
        for (int k = 0; k < 2; k++) {
            outs[k] = DeltaFixtures.copyOf(outTemplate, arena);
            maps[k] = mapTemplate.clone();
            written[k] = kernels[k].encode(basis, bOff, target, tOff, len, outs[k], outOff, maps[k]);
            String who = kernels[k].name() + " " + what;
            assertEquals(e.payload().byteSize(), written[k], who);
            assertArrayEquals(e.map(), Arrays.copyOf(maps[k], e.map().length), who);
            assertEquals(mapTemplate[mapTemplate.length - 1], maps[k][maps[k].length - 1], "word after the range " + who);
            assertEquals(-1, outs[k].asSlice(outOff, written[k]).mismatch(e.payload()), who);
            assertEquals(-1, outs[k].asSlice(0, outOff).mismatch(outTemplate.asSlice(0, outOff)), "before out " + who);
            long end = outOff + len;
            assertEquals(-1, outs[k].asSlice(end).mismatch(outTemplate.asSlice(end)), "after out " + who);
        }
        // Every pairing of encoder and applier restores the target, consuming exactly what was written.
        for (int enc = 0; enc < 2; enc++) {
            for (DeltaKernel applier : kernels) {
                MemorySegment data = DeltaFixtures.copyOf(basis, arena);
                long used = applier.apply(data, bOff, len, outs[enc], outOff, maps[enc]);
                String who = kernels[enc].name() + " -> " + applier.name() + " " + what;
                assertEquals(written[enc], used, who);
                assertEquals(-1, data.asSlice(bOff, len).mismatch(target.asSlice(tOff, len)), who);
                assertEquals(-1, data.asSlice(0, bOff).mismatch(basis.asSlice(0, bOff)), "before data " + who);
                assertEquals(-1, data.asSlice(bOff + len).mismatch(basis.asSlice(bOff + len)), "after data " + who);
            }
        }
    }

    @Test
    void xorIntoAgreesWithTheScalarTwinAndIsItsOwnInverse() {
        SplittableRandom r = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined()) {
            for (long len : DeltaFixtures.lengths()) {
                Kind kind = Kind.values()[r.nextInt(2)];
                int dOff = r.nextInt(64);
                int sOff = r.nextInt(64);
                MemorySegment dst = DeltaFixtures.segment(kind, dOff + len + GUARD, arena, r);
                MemorySegment src = DeltaFixtures.segment(kind, sOff + len + GUARD, arena, r);
                MemorySegment v = DeltaFixtures.copyOf(dst, arena);
                MemorySegment s = DeltaFixtures.copyOf(dst, arena);
                VECTOR.xorInto(v, dOff, src, sOff, len);
                SCALAR.xorInto(s, dOff, src, sOff, len);
                assertEquals(-1, v.mismatch(s), "len=" + len);
                for (long i = 0; i < len; i += 1 + len / 7) { // spot check against the definition
                    byte want = (byte) (dst.get(ValueLayout.JAVA_BYTE, dOff + i)
                            ^ src.get(ValueLayout.JAVA_BYTE, sOff + i));
                    assertEquals(want, v.get(ValueLayout.JAVA_BYTE, dOff + i), "len=" + len);
                }
                VECTOR.xorInto(v, dOff, src, sOff, len);
                assertEquals(-1, v.mismatch(dst), "twice is identity, len=" + len);
            }
        }
    }
}
