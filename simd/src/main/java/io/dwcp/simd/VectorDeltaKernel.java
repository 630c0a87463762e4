package io.dwcp.simd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API twin of {@link ScalarDeltaKernel}. Lanes are bytes: XOR and OR do not care about lane width, and
 * only lanes of the backing array's type are intrinsified on heap segments. A {@code LongVector} over a
 * {@code byte[]} segment, once C2 knows the array type from the profile, fails the intrinsic's element type
 * check on little-endian CPUs (JDK-8329555 left {@code mismatched_ms} false there) and runs as boxed Java: 2 GB/s
 * and 4.5 bytes allocated per byte encoded, against 45 GB/s off-heap.
 *
 * <p>The species is a {@code static final} constant, which the Vector API needs to be intrinsified: with a
 * species held in a field C2 cannot fold, every vector is a heap object. It is the preferred species, capped by
 * {@code -Ddwcp.simd.bits=128|256|512} (read once), for comparing widths in benchmarks.
 *
 * <p>Encode is one pass that writes every page's XOR to the output while ORing its lanes together, then keeps
 * or rewinds the output cursor once the page is known: reading the page twice (compare, then XOR) costs a
 * second pass over both inputs for every changed page. The XOR loops are plain one-vector counted loops: C2
 * unrolls those itself, and a loop unrolled four vectors deep by hand ran 10-20 % slower (64 KiB and 1 MiB
 * blocks, AVX-512). Only {@code firstDifference} ORs four vectors before it tests, to branch once per stride.
 * Tails shorter than a vector go eight bytes, then one byte at a time (an overlapping last vector would be
 * wrong for {@code xorInto}, which is not idempotent).
 *
 * <p>Measured on AVX-512 (AMD EPYC), in L2: 512-bit lanes beat 256-bit ones by about a third; inputs or output
 * off 64-byte alignment cost about 15 % (heap arrays are only 8-byte aligned, and no API tells where they are).
 */
final class VectorDeltaKernel implements DeltaKernel {
    private static final VectorSpecies<Byte> SPECIES = species();
    private static final int VB = SPECIES.vectorByteSize();
    private static final int STEP = 4 * VB; // firstDifference tests four vectors at a time
    private static final ByteOrder ORDER = ByteOrder.nativeOrder(); // any order works for XOR, if the same
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    static final VectorDeltaKernel INSTANCE = new VectorDeltaKernel();

    private final String name = "vector(" + VB * 8 + "-bit)";

    private VectorDeltaKernel() {
    }

    private static VectorSpecies<Byte> species() {
        VectorSpecies<Byte> preferred = ByteVector.SPECIES_PREFERRED;
        int cap = Integer.getInteger("dwcp.simd.bits", 0);
        if (cap >= 128 && cap < preferred.vectorBitSize()) {
            return VectorSpecies.of(byte.class, VectorShape.forBitSize(cap));
        }
        return preferred;
    }

    /** Lane width in bytes this kernel uses. */
    static int vectorBytes() {
        return VB;
    }

    /** Why this width: the CPU's preferred one, or a cap from {@code dwcp.simd.bits}. */
    static String widthReason() {
        return VB == ByteVector.SPECIES_PREFERRED.vectorByteSize() ? "preferred-species" : "capped-by-property";
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * The Vector API reads heap segments only over {@code byte[]}: anything else goes to the scalar twin rather
     * than fail. Compared by class, as every segment over a {@code byte[]} (read-only or not, slice or not) has
     * the class of this one: {@code heapBase()} would say the same with an {@code Optional} that C2 does not
     * always scalar-replace (49 bytes per call in a 4 MiB heap encode) and hides a read-only segment's array.
     */
    private static final Class<?> BYTE_ARRAY_SEGMENT = MemorySegment.ofArray(new byte[0]).getClass();

    private static boolean vectorable(MemorySegment s) {
        return s.isNative() || s.getClass() == BYTE_ARRAY_SEGMENT;
    }

    @Override
    public long encode(MemorySegment basis, long bOff, MemorySegment target, long tOff, long len,
                       MemorySegment out, long outOff, long[] pageMap) {
        if (!vectorable(basis) || !vectorable(target) || !vectorable(out)) {
            return ScalarDeltaKernel.INSTANCE.encode(basis, bOff, target, tOff, len, out, outOff, pageMap);
        }
        DeltaKernels.checkRange(basis, bOff, len);
        DeltaKernels.checkRange(target, tOff, len);
        DeltaKernels.checkRange(out, outOff, len);
        DeltaKernels.checkMap(pageMap, len);
        int full = (int) (len / PAGE);
        long cursor = 0;
        long word = 0; // bits of the map word being filled: stored whole, which also clears stale bits
        for (int p = 0; p < full; p++) {
            long at = (long) p * PAGE;
            if (xorFullPage(basis, bOff + at, target, tOff + at, out, outOff + cursor)) {
                cursor += PAGE; // keep the page; otherwise the next page overwrites it
                word |= 1L << p; // shift counts are taken mod 64
            }
            if ((p & 63) == 63) {
                pageMap[p >>> 6] = word;
                word = 0;
            }
        }
        int rest = (int) (len - (long) full * PAGE);
        if (rest > 0) { // the short last page, index full
            long at = (long) full * PAGE;
            if (xorShortPage(basis, bOff + at, target, tOff + at, out, outOff + cursor, rest)) {
                cursor += rest;
                word |= 1L << full;
            }
            pageMap[full >>> 6] = word;
        } else if ((full & 63) != 0) {
            pageMap[full >>> 6] = word;
        }
        return cursor;
    }

    private static boolean xorFullPage(MemorySegment b, long bo, MemorySegment t, long to, MemorySegment o, long oo) {
        ByteVector acc = ByteVector.zero(SPECIES);
        for (int i = 0; i < PAGE; i += VB) { // a counted loop C2 unrolls itself (see the class comment)
            ByteVector x = load(b, bo + i).lanewise(VectorOperators.XOR, load(t, to + i));
            x.intoMemorySegment(o, oo + i, ORDER);
            acc = acc.or(x);
        }
        return acc.compare(VectorOperators.NE, (byte) 0).anyTrue();
    }

    /** The last page of a range, {@code n < PAGE} bytes. */
    private static boolean xorShortPage(MemorySegment b, long bo, MemorySegment t, long to, MemorySegment o,
                                        long oo, int n) {
        ByteVector acc = ByteVector.zero(SPECIES);
        int i = 0;
        for (; i <= n - VB; i += VB) {
            ByteVector x = load(b, bo + i).lanewise(VectorOperators.XOR, load(t, to + i));
            x.intoMemorySegment(o, oo + i, ORDER);
            acc = acc.or(x);
        }
        long tail = 0;
        for (; i <= n - 8; i += 8) {
            long x = b.get(LONG, bo + i) ^ t.get(LONG, to + i);
            o.set(LONG, oo + i, x);
            tail |= x;
        }
        for (; i < n; i++) {
            byte x = (byte) (b.get(BYTE, bo + i) ^ t.get(BYTE, to + i));
            o.set(BYTE, oo + i, x);
            tail |= x;
        }
        return tail != 0 || acc.compare(VectorOperators.NE, (byte) 0).anyTrue();
    }

    @Override
    public long apply(MemorySegment data, long dOff, long len, MemorySegment payload, long pOff, long[] pageMap) {
        if (!vectorable(data) || !vectorable(payload)) {
            return ScalarDeltaKernel.INSTANCE.apply(data, dOff, len, payload, pOff, pageMap);
        }
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
        if (!vectorable(a) || !vectorable(b)) {
            return ScalarDeltaKernel.INSTANCE.firstDifference(a, aOff, b, bOff, len);
        }
        DeltaKernels.checkRange(a, aOff, len);
        DeltaKernels.checkRange(b, bOff, len);
        // Vectors only find the stride that differs; eight-byte words then locate the byte within it.
        long i = 0;
        for (; i <= len - STEP; i += STEP) {
            ByteVector d = load(a, aOff + i).lanewise(VectorOperators.XOR, load(b, bOff + i))
                    .or(load(a, aOff + i + VB).lanewise(VectorOperators.XOR, load(b, bOff + i + VB)))
                    .or(load(a, aOff + i + 2 * VB).lanewise(VectorOperators.XOR, load(b, bOff + i + 2 * VB)))
                    .or(load(a, aOff + i + 3 * VB).lanewise(VectorOperators.XOR, load(b, bOff + i + 3 * VB)));
            if (d.compare(VectorOperators.NE, (byte) 0).anyTrue()) {
                break;
            }
        }
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
        if (!vectorable(dst) || !vectorable(src)) {
            ScalarDeltaKernel.INSTANCE.xorInto(dst, dOff, src, sOff, len);
            return;
        }
        DeltaKernels.checkRange(dst, dOff, len);
        DeltaKernels.checkRange(src, sOff, len);
        xor(dst, dOff, src, sOff, len);
    }

    private static void xor(MemorySegment dst, long dOff, MemorySegment src, long sOff, long len) {
        long i = 0;
        for (; i <= len - VB; i += VB) {
            load(dst, dOff + i).lanewise(VectorOperators.XOR, load(src, sOff + i)).intoMemorySegment(dst, dOff + i, ORDER);
        }
        for (; i <= len - 8; i += 8) {
            dst.set(LONG, dOff + i, dst.get(LONG, dOff + i) ^ src.get(LONG, sOff + i));
        }
        for (; i < len; i++) {
            dst.set(BYTE, dOff + i, (byte) (dst.get(BYTE, dOff + i) ^ src.get(BYTE, sOff + i)));
        }
    }

    private static ByteVector load(MemorySegment s, long off) {
        return ByteVector.fromMemorySegment(SPECIES, s, off, ORDER);
    }
}
