package io.dwcp.simd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Detects all-zero blocks (holes in VM images and databases) so the sender can send them as a header alone.
 * The vector pass ORs whole lanes together and tests once per stride, and zero data runs at memory speed. A
 * block that is not zero nearly always shows it in its first or last eight bytes, so those are read first:
 * most blocks never start the Vector API, which until C2 has compiled it runs as allocating Java (in a
 * short-lived sender of many small files it was an eighth of the sending thread's time).
 * Where the Vector API would not be compiled ({@link VectorSupport}), a scalar loop over longs does the pass.
 * {@link #isAllZeroScalar} is the reference twin the tests compare against.
 */
public final class ZeroScan {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final boolean VECTOR = VectorSupport.usable();

    private ZeroScan() {
    }

    /** True when every byte from position to limit is zero; the buffer's position is unchanged. */
    public static boolean isAllZero(ByteBuffer buf) {
        // Read through the buffer itself first: wrapping it in a segment allocates, and most blocks end here.
        int p = buf.position();
        int lim = buf.limit();
        if (lim - p >= 8 && (buf.getLong(p) != 0 || buf.getLong(lim - 8) != 0)) {
            return false;
        }
        return VECTOR ? Lanes.isAllZero(buf) : isAllZeroLongs(buf, p, lim);
    }

    /** The Vector API pass, in a class of its own so that a JVM without the module never loads it. */
    private static final class Lanes {
        // Byte lanes, not long: on a heap buffer (a segment over byte[]) C2 intrinsifies only lanes of the array's
        // type on little-endian CPUs, and LongVector ran as boxed Java there (7 GB/s against 120 direct).
        private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;
        private static final int STRIDE = SPECIES.vectorByteSize() * 4;

        private Lanes() {
        }

        static boolean isAllZero(ByteBuffer buf) {
            MemorySegment seg = MemorySegment.ofBuffer(buf);
            long n = seg.byteSize();
            long i = 0;
            long bound = n - n % STRIDE;
            int vb = SPECIES.vectorByteSize();
            for (; i < bound; i += STRIDE) {
                ByteVector acc = ByteVector.fromMemorySegment(SPECIES, seg, i, ByteOrder.LITTLE_ENDIAN)
                        .or(ByteVector.fromMemorySegment(SPECIES, seg, i + vb, ByteOrder.LITTLE_ENDIAN))
                        .or(ByteVector.fromMemorySegment(SPECIES, seg, i + 2L * vb, ByteOrder.LITTLE_ENDIAN))
                        .or(ByteVector.fromMemorySegment(SPECIES, seg, i + 3L * vb, ByteOrder.LITTLE_ENDIAN));
                if (acc.compare(VectorOperators.NE, (byte) 0).anyTrue()) { // one mask test, not a 64-lane reduction
                    return false;
                }
            }
            for (; i + 8 <= n; i += 8) {
                if (seg.get(LONG, i) != 0) {
                    return false;
                }
            }
            for (; i < n; i++) {
                if (seg.get(ValueLayout.JAVA_BYTE, i) != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The pass without the Vector API: eight bytes at a time through the buffer itself, which allocates nothing. */
    static boolean isAllZeroLongs(ByteBuffer buf, int from, int to) {
        int i = from;
        long acc = 0;
        for (; i + 64 <= to; i += 64) {
            acc |= buf.getLong(i) | buf.getLong(i + 8) | buf.getLong(i + 16) | buf.getLong(i + 24)
                    | buf.getLong(i + 32) | buf.getLong(i + 40) | buf.getLong(i + 48) | buf.getLong(i + 56);
            if (acc != 0) {
                return false;
            }
        }
        for (; i + 8 <= to; i += 8) {
            acc |= buf.getLong(i);
        }
        for (; i < to; i++) {
            acc |= buf.get(i);
        }
        return acc == 0;
    }

    /** How {@link #isAllZero} scans here: {@code vector} or {@code scalar}, for logs and tests. */
    public static String path() {
        return VECTOR ? "vector" : "scalar";
    }

    /** Reference implementation: one byte at a time. */
    public static boolean isAllZeroScalar(ByteBuffer buf) {
        for (int i = buf.position(); i < buf.limit(); i++) {
            if (buf.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
