package io.dwcp.core.digest;

import io.dwcp.core.concurrent.ThreadAllocation;
import io.dwcp.simd.VectorSupport;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * XXH3-128 with seed 0 and the default 192-byte secret, read straight from a {@link MemorySegment} (native or
 * heap): bit for bit the reference {@code XXH3_128bits()} and hash4j's {@code Hashing.xxh3_128()}.
 *
 * <p>Written from the public algorithm (xxhash.h). Inputs of 0, 1-3, 4-8, 9-16, 17-128 and 129-240 bytes take
 * the short paths. Longer inputs run 8 accumulators over 64-byte stripes, 16 stripes (1 KiB) per block with
 * a scramble after each block, then the stripes of the partial last block, the last 64 bytes (secret offset
 * 121) and the two 128-bit merges (secret offsets 11 and 117).
 *
 * <p>The long-input loop uses the Vector API where the platform is little-endian and has 256- or 512-bit
 * vectors: one 512-bit vector holds the 8 accumulators, or two 256-bit ones. Elsewhere, and for segments over
 * arrays other than {@code byte[]}, a scalar loop keeps the accumulators in locals. Once compiled, no path
 * allocates except {@link #hash128(MemorySegment, long, long)}. The vector loops are slow until C2 has compiled
 * them, so a JVM hashes native input with the scalar loop until {@link #warmUpVectorPath} has compiled them (or
 * {@link #SCALAR_FIRST_BYTES} have gone that way).
 */
public final class Xxh3 {
    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private static final long PRIME32_1 = 0x9E3779B1L;
    private static final long PRIME32_2 = 0x85EBCA77L;
    private static final long PRIME32_3 = 0xC2B2AE3DL;
    private static final long PRIME64_1 = 0x9E3779B185EBCA87L;
    private static final long PRIME64_2 = 0xC2B2AE3D27D4EB4FL;
    private static final long PRIME64_3 = 0x165667B19E3779F9L;
    private static final long PRIME64_4 = 0x85EBCA77C2B2AE63L;
    private static final long PRIME64_5 = 0x27D4EB2F165667C5L;
    private static final long PRIME_MX1 = 0x165667919E3779F9L;
    private static final long PRIME_MX2 = 0x9FB21C651E98DF25L;
    private static final long LOW32 = 0xFFFFFFFFL;

    /** XXH3_kSecret, the default secret (192 bytes, from FARSH). */
    private static final byte[] SECRET = HexFormat.of().parseHex(
            "b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671f"
                    + "cb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c"
                    + "3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8"
                    + "a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364"
                    + "eac5ac8334d3ebc3c581a0fffa1363eb170ddd51b7f0da49d316552629d4689e"
                    + "2b16be587d47a1fc8ff8b8d17ad031ce45cb3a8f95160428afd7fbcabb4b407e");

    private static final int STRIPE = 64;
    /** (192 - 64) / 8: each stripe moves 8 bytes further into the secret, and a block uses it all. */
    private static final int STRIPES_PER_BLOCK = 16;
    private static final int BLOCK = STRIPE * STRIPES_PER_BLOCK;

    /** The secret as 8-byte words: stripe s of a block, lane i, is keyed with word s + i; words 16..23 scramble. */
    private static final long[] WORDS = words(0, 24);
    /** The last stripe's key: the secret from offset 192 - 64 - 7 = 121. */
    private static final long[] LAST_STRIPE_KEYS = words(121, 8);
    private static final long[] INIT_ACC = {
        PRIME32_3, PRIME64_1, PRIME64_2, PRIME64_3, PRIME64_4, PRIME32_2, PRIME64_5, PRIME32_1
    };

    // The secret words of the short paths and the scalar scramble, as constants.
    private static final long S00 = sec64(0), S01 = sec64(8), S02 = sec64(16), S03 = sec64(24);
    private static final long S04 = sec64(32), S05 = sec64(40), S06 = sec64(48), S07 = sec64(56);
    private static final long S08 = sec64(64), S09 = sec64(72), S10 = sec64(80), S11 = sec64(88);
    private static final long S12 = sec64(96), S13 = sec64(104), S14 = sec64(112), S15 = sec64(120);
    private static final long S16 = sec64(128), S17 = sec64(136), S18 = sec64(144), S19 = sec64(152);
    private static final long S20 = sec64(160), S21 = sec64(168), S22 = sec64(176), S23 = sec64(184);

    // 1 to 3 bytes: the two 32-bit flips; 4 to 8 and 9 to 16: the 64-bit flips.
    private static final long FLIP_1TO3_LO = (sec32(0) ^ sec32(4)) & LOW32;
    private static final long FLIP_1TO3_HI = (sec32(8) ^ sec32(12)) & LOW32;
    private static final long FLIP_4TO8 = S02 ^ S03;
    private static final long FLIP_9TO16_LO = S04 ^ S05;
    private static final long FLIP_9TO16_HI = S06 ^ S07;
    private static final long EMPTY_LO = avalanche64(S08 ^ S09);
    private static final long EMPTY_HI = avalanche64(S10 ^ S11);

    // 129 to 240 bytes: rounds 4..6 read the secret from offset 3, the last round from offset 103.
    private static final long M00 = sec64(3), M01 = sec64(11), M02 = sec64(19), M03 = sec64(27);
    private static final long M04 = sec64(35), M05 = sec64(43), M06 = sec64(51), M07 = sec64(59);
    private static final long M08 = sec64(67), M09 = sec64(75), M10 = sec64(83), M11 = sec64(91);
    private static final long ML0 = sec64(103), ML1 = sec64(111), ML2 = sec64(119), ML3 = sec64(127);

    // The last stripe of a long input (offset 121) and the two final merges (offsets 11 and 117).
    private static final long L0 = sec64(121), L1 = sec64(129), L2 = sec64(137), L3 = sec64(145);
    private static final long L4 = sec64(153), L5 = sec64(161), L6 = sec64(169), L7 = sec64(177);
    private static final long G0 = sec64(11), G1 = sec64(19), G2 = sec64(27), G3 = sec64(35);
    private static final long G4 = sec64(43), G5 = sec64(51), G6 = sec64(59), G7 = sec64(67);
    private static final long H0 = sec64(117), H1 = sec64(125), H2 = sec64(133), H3 = sec64(141);
    private static final long H4 = sec64(149), H5 = sec64(157), H6 = sec64(165), H7 = sec64(173);

    /** Which long-input loop runs: 512-bit vectors, two 256-bit vectors, or scalar. */
    static final int LONG_PATH_SCALAR = 0;
    static final int LONG_PATH_V256 = 1;
    static final int LONG_PATH_V512 = 2;
    private static final int LONG_PATH = chooseLongPath();

    /**
     * Native input the scalar loop takes in each JVM before the vector loop does, unless {@link #warmUpVectorPath}
     * hands over sooner. Until C2 has compiled the vector loop, the Vector API runs as ordinary Java that allocates
     * on every operation, and compiling and warming it costs about 0.4 CPU-s, while the scalar loop costs only about
     * 0.06 CPU-s per GiB more than the compiled vector loop (10.8 against 29 GB/s here). So a process hashes with
     * the scalar loop until it has warmed the vector one up on purpose (a server at start, a send that offers many
     * gigabytes): measured, a send of 1 GiB that did so anyway cost 1.44 client CPU-s against 0.97 and 1.19 s
     * against 1.02 s, and one of 4 GiB the same wall time for 0.2 CPU-s more. The budget only bounds what a
     * process that never warms up pays for that choice. Heap segments (file digests, small) never take this turn,
     * so the scalar loop sees one kind of segment and keeps its speed (see below). Forcing a path with
     * {@code -Ddwcp.xxh3.path} turns this off.
     */
    static final long SCALAR_FIRST_BYTES = 64L << 30;
    private static final AtomicLong SCALAR_LEFT =
            new AtomicLong(System.getProperty("dwcp.xxh3.path") == null ? SCALAR_FIRST_BYTES : 0);

    private Xxh3() {
    }

    /**
     * XXH3-128 (seed 0) of segment[offset, offset+length): writes the 128-bit result into out[at..at+16):
     * high 64 bits big-endian, then low 64 bits big-endian. Stateless and thread-safe.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the segment or out has no 16 bytes at at
     * @throws IllegalStateException if the segment's arena is closed
     * @throws WrongThreadException if the segment is confined to another thread
     */
    public static void hash128(MemorySegment segment, long offset, long length, byte[] out, int at) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        Objects.checkFromIndexSize(at, 16, out.length);
        hashChecked(segment, offset, length, out, at,
                length > 240 && (LONG_PATH == LONG_PATH_SCALAR || scalarTurn(segment, length)));
    }

    /** {@link #hash128} of a range already checked; {@code scalar}: an input over 240 bytes takes the scalar loop. */
    private static void hashChecked(MemorySegment segment, long offset, long length, byte[] out, int at,
                                    boolean scalar) {
        if (length <= 16) {
            short0to16(segment, offset, length, out, at);
        } else if (length <= 128) {
            mid17to128(segment, offset, length, out, at);
        } else if (length <= 240) {
            mid129to240(segment, offset, length, out, at);
        } else if (scalar) {
            hashLongScalar(segment, offset, length, out, at);
        } else {
            hashLongVector(LONG_PATH, segment, offset, length, out, at);
        }
    }

    /**
     * XXH3-128 (seed 0) of each {@code piece}-byte run of segment[offset, offset+length), the last one shorter when
     * {@code length} is not a multiple, written to out from {@code at}, 16 bytes each as {@link #hash128} writes them.
     * The loop for long inputs is chosen once for the whole range: the page digests of a block take one turn of the
     * scalar budget, not one per page.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the segment or out has no room for every digest
     */
    public static void hash128Pieces(MemorySegment segment, long offset, long length, int piece, byte[] out, int at) {
        if (piece <= 0) {
            throw new IllegalArgumentException("piece=" + piece);
        }
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        long pieces = (length + piece - 1) / piece;
        Objects.checkFromIndexSize(at, pieces * 16, out.length);
        boolean scalar = LONG_PATH == LONG_PATH_SCALAR || scalarTurn(segment, length);
        for (int i = 0; i < pieces; i++) {
            long from = offset + (long) i * piece;
            hashChecked(segment, from, Math.min(piece, offset + length - from), out, at + i * 16, scalar);
        }
    }

    /** True while this JVM's scalar budget lasts, for native segments; takes {@code length} from it. */
    private static boolean scalarTurn(MemorySegment segment, long length) {
        // A plain read first: once the budget is spent, no thread writes the shared counter again.
        return SCALAR_LEFT.get() > 0 && NATIVE_SEGMENT.isInstance(segment) && SCALAR_LEFT.getAndAdd(-length) > 0;
    }

    /**
     * For a long-lived process (the server): runs the vector loop on a private buffer until C2 has compiled it,
     * then lets every later hash use it. Without this the switch happens in the middle of a transfer, where the
     * not yet compiled Vector API allocates on every operation (hundreds of MB on the data threads, measured) and
     * runs far slower for a while. Bounded by {@code maxMillis}; returns whether the vector loop became fast.
     * Meant for a background thread at start-up.
     *
     * <p>The warm-up hashes what transfers hash: slab-like memory of a shared arena (a confined one too, for the
     * client's reads), whole stripe blocks and a partial one, short tails and unaligned starts. A loop compiled on one
     * shape only (once: 256 KiB at offset 0 of a confined arena) was recompiled in the middle of the first
     * transfer, its profile-based predicates failing on a shared arena's segment, and ran as allocating Java
     * until then (260 KiB per GiB on the data threads). It counts as warm only after rounds that allocated
     * nothing on this thread, where the JVM can say so.
     */
    public static boolean warmUpVectorPath(long maxMillis) {
        if (LONG_PATH == LONG_PATH_SCALAR || System.getProperty("dwcp.xxh3.path") != null) {
            return false;
        }
        byte[] out = new byte[16];
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        try (Arena shared = Arena.ofShared(); Arena confined = Arena.ofConfined()) {
            MemorySegment[] buffers = {shared.allocate(WARM_UP_BYTES, 64), confined.allocate(WARM_UP_BYTES, 64)};
            int fast = 0;
            for (int round = 0; System.nanoTime() - deadline < 0; round++) {
                long before = ThreadAllocation.current();
                long t0 = System.nanoTime();
                for (long[] shape : WARM_UP_SHAPES) {
                    hashLongVector(LONG_PATH, buffers[round & 1], shape[0], shape[1], out, 0);
                }
                // Compiled, a round takes a few microseconds here; interpreted, milliseconds.
                boolean quiet = ThreadAllocation.since(before) == 0;
                fast = System.nanoTime() - t0 < 50_000 && quiet ? fast + 1 : 0;
                if (fast >= 16) {
                    SCALAR_LEFT.set(0);
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {offset, length} pairs of a warm-up round: whole 1 KiB stripe blocks and a partial one, a tail, odd starts.
     * Small, since the rounds before the compilation run interpreted (a round of 1 MiB blocks cost the client of a
     * 2 GiB delta send a third of a CPU-second); the loop's profile depends on its branches and the segment's
     * kind, not on the length.
     */
    private static final long[][] WARM_UP_SHAPES = {
        {0, 16 * 1024}, {64, 4096 + 17}, {7, 4096}, {0, 241}, {3, 1000}, {0, 16 * 1024 - 1},
    };
    private static final int WARM_UP_BYTES = 16 * 1024 + 64;

    /** Native input left for the scalar loop before the vector loop takes over; 0 or less once spent. */
    static long scalarBytesLeft() {
        return SCALAR_LEFT.get();
    }

    /** XXH3-128 (seed 0) of s[off, off+len) as {high64, low64}. */
    public static long[] hash128(MemorySegment s, long off, long len) {
        byte[] out = new byte[16];
        hash128(s, off, len, out, 0);
        return new long[] {(long) BE64.get(out, 0), (long) BE64.get(out, 8)};
    }

    /** The long-input loop in use: {@link #LONG_PATH_V512}, {@link #LONG_PATH_V256} or {@link #LONG_PATH_SCALAR}. */
    static int longPath() {
        return LONG_PATH;
    }

    /** Hashes with a given long-input loop (inputs over 240 bytes), for tests that cover every loop. */
    static void hash128With(int path, MemorySegment segment, long offset, long length, byte[] out, int at) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        Objects.checkFromIndexSize(at, 16, out.length);
        if (length <= 240) {
            hash128(segment, offset, length, out, at);
            return;
        }
        if (path == LONG_PATH_SCALAR) {
            hashLongScalar(segment, offset, length, out, at);
        } else {
            hashLongVector(path, segment, offset, length, out, at);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 0 to 16 bytes

    private static void short0to16(MemorySegment seg, long off, long len, byte[] out, int at) {
        long hi;
        long lo;
        if (len > 8) {
            // 9..16: two overlapping words, a 64x64->128 multiply, then the 128-bit fold.
            long first = seg.get(LE64, off);
            long last = seg.get(LE64, off + len - 8);
            long x = first ^ last ^ FLIP_9TO16_LO;
            long mLo = x * PRIME64_1;
            long mHi = Math.unsignedMultiplyHigh(x, PRIME64_1);
            mLo += (len - 1) << 54;
            long y = last ^ FLIP_9TO16_HI;
            mHi += y + (y & LOW32) * (PRIME32_2 - 1);
            mLo ^= Long.reverseBytes(mHi);
            long rLo = mLo * PRIME64_2;
            long rHi = Math.unsignedMultiplyHigh(mLo, PRIME64_2) + mHi * PRIME64_2;
            lo = avalanche3(rLo);
            hi = avalanche3(rHi);
        } else if (len >= 4) {
            // 4..8: first and last 32-bit words combined into one 64-bit value.
            long first = seg.get(LE32, off) & LOW32;
            long last = seg.get(LE32, off + len - 4) & LOW32;
            long keyed = (first | (last << 32)) ^ FLIP_4TO8;
            long factor = PRIME64_1 + (len << 2);
            long mLo = keyed * factor;
            long mHi = Math.unsignedMultiplyHigh(keyed, factor);
            mHi += mLo << 1;
            mLo ^= mHi >>> 3;
            mLo ^= mLo >>> 35;
            mLo *= PRIME_MX2;
            mLo ^= mLo >>> 28;
            lo = mLo;
            hi = avalanche3(mHi);
        } else if (len > 0) {
            // 1..3: first, middle and last byte plus the length in one 32-bit word.
            int c1 = seg.get(U8, off) & 0xFF;
            int c2 = seg.get(U8, off + (len >>> 1)) & 0xFF;
            int c3 = seg.get(U8, off + len - 1) & 0xFF;
            int combinedLo = (c1 << 16) | (c2 << 24) | c3 | ((int) len << 8);
            int combinedHi = Integer.rotateLeft(Integer.reverseBytes(combinedLo), 13);
            lo = avalanche64((combinedLo & LOW32) ^ FLIP_1TO3_LO);
            hi = avalanche64((combinedHi & LOW32) ^ FLIP_1TO3_HI);
        } else {
            lo = EMPTY_LO;
            hi = EMPTY_HI;
        }
        put(out, at, hi, lo);
    }

    // ---------------------------------------------------------------------------------------------------------
    // 17 to 240 bytes: 32-byte rounds feeding two 64-bit accumulators

    private static void mid17to128(MemorySegment seg, long off, long len, byte[] out, int at) {
        long accLo = len * PRIME64_1;
        long accHi = 0;
        long end = off + len;
        if (len > 32) {
            if (len > 64) {
                if (len > 96) {
                    long a0 = seg.get(LE64, off + 48), a1 = seg.get(LE64, off + 56);
                    long b0 = seg.get(LE64, end - 64), b1 = seg.get(LE64, end - 56);
                    accLo = (accLo + mix16(a0, a1, S12, S13)) ^ (b0 + b1);
                    accHi = (accHi + mix16(b0, b1, S14, S15)) ^ (a0 + a1);
                }
                long a0 = seg.get(LE64, off + 32), a1 = seg.get(LE64, off + 40);
                long b0 = seg.get(LE64, end - 48), b1 = seg.get(LE64, end - 40);
                accLo = (accLo + mix16(a0, a1, S08, S09)) ^ (b0 + b1);
                accHi = (accHi + mix16(b0, b1, S10, S11)) ^ (a0 + a1);
            }
            long a0 = seg.get(LE64, off + 16), a1 = seg.get(LE64, off + 24);
            long b0 = seg.get(LE64, end - 32), b1 = seg.get(LE64, end - 24);
            accLo = (accLo + mix16(a0, a1, S04, S05)) ^ (b0 + b1);
            accHi = (accHi + mix16(b0, b1, S06, S07)) ^ (a0 + a1);
        }
        long a0 = seg.get(LE64, off), a1 = seg.get(LE64, off + 8);
        long b0 = seg.get(LE64, end - 16), b1 = seg.get(LE64, end - 8);
        accLo = (accLo + mix16(a0, a1, S00, S01)) ^ (b0 + b1);
        accHi = (accHi + mix16(b0, b1, S02, S03)) ^ (a0 + a1);
        finishMid(len, accLo, accHi, out, at);
    }

    private static void mid129to240(MemorySegment seg, long off, long len, byte[] out, int at) {
        long accLo = len * PRIME64_1;
        long accHi = 0;
        // Rounds 0..3 with the secret from offset 0, then an avalanche of both halves.
        long a0 = seg.get(LE64, off), a1 = seg.get(LE64, off + 8);
        long b0 = seg.get(LE64, off + 16), b1 = seg.get(LE64, off + 24);
        accLo = (accLo + mix16(a0, a1, S00, S01)) ^ (b0 + b1);
        accHi = (accHi + mix16(b0, b1, S02, S03)) ^ (a0 + a1);
        a0 = seg.get(LE64, off + 32);
        a1 = seg.get(LE64, off + 40);
        b0 = seg.get(LE64, off + 48);
        b1 = seg.get(LE64, off + 56);
        accLo = (accLo + mix16(a0, a1, S04, S05)) ^ (b0 + b1);
        accHi = (accHi + mix16(b0, b1, S06, S07)) ^ (a0 + a1);
        a0 = seg.get(LE64, off + 64);
        a1 = seg.get(LE64, off + 72);
        b0 = seg.get(LE64, off + 80);
        b1 = seg.get(LE64, off + 88);
        accLo = (accLo + mix16(a0, a1, S08, S09)) ^ (b0 + b1);
        accHi = (accHi + mix16(b0, b1, S10, S11)) ^ (a0 + a1);
        a0 = seg.get(LE64, off + 96);
        a1 = seg.get(LE64, off + 104);
        b0 = seg.get(LE64, off + 112);
        b1 = seg.get(LE64, off + 120);
        accLo = (accLo + mix16(a0, a1, S12, S13)) ^ (b0 + b1);
        accHi = (accHi + mix16(b0, b1, S14, S15)) ^ (a0 + a1);
        accLo = avalanche3(accLo);
        accHi = avalanche3(accHi);
        // Rounds 4..len/32-1 with the secret from offset 3 (at most 3 of them).
        if (len >= 160) {
            a0 = seg.get(LE64, off + 128);
            a1 = seg.get(LE64, off + 136);
            b0 = seg.get(LE64, off + 144);
            b1 = seg.get(LE64, off + 152);
            accLo = (accLo + mix16(a0, a1, M00, M01)) ^ (b0 + b1);
            accHi = (accHi + mix16(b0, b1, M02, M03)) ^ (a0 + a1);
        }
        if (len >= 192) {
            a0 = seg.get(LE64, off + 160);
            a1 = seg.get(LE64, off + 168);
            b0 = seg.get(LE64, off + 176);
            b1 = seg.get(LE64, off + 184);
            accLo = (accLo + mix16(a0, a1, M04, M05)) ^ (b0 + b1);
            accHi = (accHi + mix16(b0, b1, M06, M07)) ^ (a0 + a1);
        }
        if (len >= 224) {
            a0 = seg.get(LE64, off + 192);
            a1 = seg.get(LE64, off + 200);
            b0 = seg.get(LE64, off + 208);
            b1 = seg.get(LE64, off + 216);
            accLo = (accLo + mix16(a0, a1, M08, M09)) ^ (b0 + b1);
            accHi = (accHi + mix16(b0, b1, M10, M11)) ^ (a0 + a1);
        }
        // The last 32 bytes, halves swapped, with the secret from offset 136 - 17 - 16 = 103.
        long end = off + len;
        a0 = seg.get(LE64, end - 16);
        a1 = seg.get(LE64, end - 8);
        b0 = seg.get(LE64, end - 32);
        b1 = seg.get(LE64, end - 24);
        accLo = (accLo + mix16(a0, a1, ML0, ML1)) ^ (b0 + b1);
        accHi = (accHi + mix16(b0, b1, ML2, ML3)) ^ (a0 + a1);
        finishMid(len, accLo, accHi, out, at);
    }

    private static void finishMid(long len, long accLo, long accHi, byte[] out, int at) {
        long lo = avalanche3(accLo + accHi);
        long hi = -avalanche3(accLo * PRIME64_1 + accHi * PRIME64_4 + len * PRIME64_2);
        put(out, at, hi, lo);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Over 240 bytes, scalar: 8 accumulators in locals. The fallback where the vector loops do not run (no
    // 256-bit vectors, big-endian, segments over long[] and the like); unlike them it is one loop for every
    // kind of segment, so it slows down (measured: 10 to 4 GB/s) once one JVM hashes heap and native segments.

    /**
     * Each thread's copy of one block of stripes: the scalar loop reads words from a {@code long[]} filled by one
     * bulk copy per block, not one segment access per word. Under C1 alone (a tree send's client) a segment access
     * is a chain of calls that are not inlined (measured: 1.2 GB/s, a third of the client's CPU on a tree); an
     * array load is one instruction under either compiler.
     */
    private static final ThreadLocal<long[]> BLOCK_WORDS =
            ThreadLocal.withInitial(() -> new long[STRIPES_PER_BLOCK * STRIPE / Long.BYTES]);

    static void hashLongScalar(MemorySegment seg, long off, long len, byte[] out, int at) {
        // One word of the last stripe is read before the loop (see the note on the vector loops, point 2).
        long q = off + len - STRIPE;
        long e7 = seg.get(LE64, q + 56);
        long a0 = PRIME32_3, a1 = PRIME64_1, a2 = PRIME64_2, a3 = PRIME64_3;
        long a4 = PRIME64_4, a5 = PRIME32_2, a6 = PRIME64_5, a7 = PRIME32_1;
        final long[] w = WORDS;
        final long[] d = BLOCK_WORDS.get();
        // Whole blocks of 16 stripes, each followed by a scramble, then the stripes of the partial block.
        long stripes = (len - 1) / STRIPE;
        long p = off;
        for (long done = 0; done < stripes; ) {
            int n = (int) Math.min(STRIPES_PER_BLOCK, stripes - done);
            MemorySegment.copy(seg, LE64, p, d, 0, n * (STRIPE / Long.BYTES));
            for (int s = 0; s < n; s++) {
                int r = s * (STRIPE / Long.BYTES);
                long d0 = d[r], d1 = d[r + 1];
                long d2 = d[r + 2], d3 = d[r + 3];
                long d4 = d[r + 4], d5 = d[r + 5];
                long d6 = d[r + 6], d7 = d[r + 7];
                long k0 = d0 ^ w[s], k1 = d1 ^ w[s + 1], k2 = d2 ^ w[s + 2], k3 = d3 ^ w[s + 3];
                long k4 = d4 ^ w[s + 4], k5 = d5 ^ w[s + 5], k6 = d6 ^ w[s + 6], k7 = d7 ^ w[s + 7];
                a0 += d1 + (k0 & LOW32) * (k0 >>> 32);
                a1 += d0 + (k1 & LOW32) * (k1 >>> 32);
                a2 += d3 + (k2 & LOW32) * (k2 >>> 32);
                a3 += d2 + (k3 & LOW32) * (k3 >>> 32);
                a4 += d5 + (k4 & LOW32) * (k4 >>> 32);
                a5 += d4 + (k5 & LOW32) * (k5 >>> 32);
                a6 += d7 + (k6 & LOW32) * (k6 >>> 32);
                a7 += d6 + (k7 & LOW32) * (k7 >>> 32);
            }
            if (n == STRIPES_PER_BLOCK) {
                a0 = scramble(a0, S16);
                a1 = scramble(a1, S17);
                a2 = scramble(a2, S18);
                a3 = scramble(a3, S19);
                a4 = scramble(a4, S20);
                a5 = scramble(a5, S21);
                a6 = scramble(a6, S22);
                a7 = scramble(a7, S23);
            }
            done += n;
            p += (long) STRIPE * n;
        }
        // The last 64 bytes (overlapping what came before) with the secret from offset 121.
        long e0 = seg.get(LE64, q), e1 = seg.get(LE64, q + 8), e2 = seg.get(LE64, q + 16);
        long e3 = seg.get(LE64, q + 24), e4 = seg.get(LE64, q + 32), e5 = seg.get(LE64, q + 40);
        long e6 = seg.get(LE64, q + 48);
        long k0 = e0 ^ L0, k1 = e1 ^ L1, k2 = e2 ^ L2, k3 = e3 ^ L3;
        long k4 = e4 ^ L4, k5 = e5 ^ L5, k6 = e6 ^ L6, k7 = e7 ^ L7;
        a0 += e1 + (k0 & LOW32) * (k0 >>> 32);
        a1 += e0 + (k1 & LOW32) * (k1 >>> 32);
        a2 += e3 + (k2 & LOW32) * (k2 >>> 32);
        a3 += e2 + (k3 & LOW32) * (k3 >>> 32);
        a4 += e5 + (k4 & LOW32) * (k4 >>> 32);
        a5 += e4 + (k5 & LOW32) * (k5 >>> 32);
        a6 += e7 + (k6 & LOW32) * (k6 >>> 32);
        a7 += e6 + (k7 & LOW32) * (k7 >>> 32);
        merge(len, a0, a1, a2, a3, a4, a5, a6, a7, out, at);
    }

    /** XXH3_mergeAccs twice (secret offsets 11 and 117) and the 128-bit result. */
    private static void merge(long len, long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7,
            byte[] out, int at) {
        long lo = avalanche3(len * PRIME64_1 + mix16(a0, a1, G0, G1) + mix16(a2, a3, G2, G3)
                + mix16(a4, a5, G4, G5) + mix16(a6, a7, G6, G7));
        long hi = avalanche3(~(len * PRIME64_2) + mix16(a0, a1, H0, H1) + mix16(a2, a3, H2, H3)
                + mix16(a4, a5, H4, H5) + mix16(a6, a7, H6, H7));
        put(out, at, hi, lo);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Over 240 bytes, Vector API
    //
    // Two things keep these loops at full speed in a JVM that also hashes or scans other kinds of segment:
    //
    // 1. Each loop exists twice, for native and for byte[]-backed segments, and each copy first casts the
    //    segment to its implementation class. The segment's base object and offset come from virtual calls
    //    inside the JDK whose type profile every caller in the JVM shares; once heap, native and mapped
    //    segments have all been seen there, C2 would test the segment's class on every load and not unroll
    //    the loop (about half the speed). With the class known, C2 needs no profile.
    //
    // 2. The last stripe is loaded before the loop. Every load checks the segment's session (owner thread,
    //    liveness), and that check's branch profile is shared JVM-wide too. If a loop's first check sits
    //    inside the loop, C2 hoists it in front of the loop as a profile-based predicate; when the profile is
    //    stale (say, segments of a confined arena after segments of direct buffers), the predicate fails on
    //    every call and C2 recompiles without learning, dozens of times (measured: 0.4 GB/s). A check before
    //    the loop fails as an ordinary branch, which C2 records and compiles both ways the next time.
    //
    // And to stay allocation-free, everything must inline into one compiled method (a vector passed to a call
    // that is not inlined is allocated): one accumulate site per loop, constants broadcast once, lanes read in
    // the method itself. The 2x256-bit loop is close to C2's inlining budget; only merge() (longs) is left out.

    /** The class of native segments (mapped segments are a subclass of it). */
    private static final Class<?> NATIVE_SEGMENT = MemorySegment.NULL.getClass();
    /** The class of segments over a byte[], read-only or not. */
    private static final Class<?> HEAP_BYTES_SEGMENT = MemorySegment.ofArray(new byte[0]).getClass();

    private static void hashLongVector(int path, MemorySegment segment, long offset, long length, byte[] out,
            int at) {
        if (NATIVE_SEGMENT.isInstance(segment)) {
            if (path == LONG_PATH_V512) {
                Vector512.hashNative(segment, offset, length, out, at);
            } else {
                Vector256.hashNative(segment, offset, length, out, at);
            }
        } else if (HEAP_BYTES_SEGMENT.isInstance(segment)) {
            if (path == LONG_PATH_V512) {
                Vector512.hashHeap(segment, offset, length, out, at);
            } else {
                Vector256.hashHeap(segment, offset, length, out, at);
            }
        } else {
            hashLongScalar(segment, offset, length, out, at);
        }
    }

    /** All 8 accumulators in one 512-bit vector. */
    private static final class Vector512 {
        private static final VectorSpecies<Long> SPECIES = LongVector.SPECIES_512;
        private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_512;
        private static final VectorShuffle<Long> SWAP = VectorShuffle.fromValues(SPECIES, 1, 0, 3, 2, 5, 4, 7, 6);
        private static final LongVector LOW = LongVector.broadcast(SPECIES, LOW32);
        private static final LongVector PRIME = LongVector.broadcast(SPECIES, PRIME32_1);

        static void hashNative(MemorySegment segment, long off, long len, byte[] out, int at) {
            MemorySegment seg = (MemorySegment) NATIVE_SEGMENT.cast(segment);
            LongVector last = loadNative(seg, off + len - STRIPE); // before the loop: see the note above
            LongVector acc = LongVector.fromArray(SPECIES, INIT_ACC, 0);
            long stripes = (len - 1) / STRIPE;
            long p = off;
            for (long done = 0; done < stripes; ) {
                int n = (int) Math.min(STRIPES_PER_BLOCK, stripes - done);
                for (int s = 0; s < n; s++) {
                    acc = accumulate(acc, loadNative(seg, p + STRIPE * s), LongVector.fromArray(SPECIES, WORDS, s));
                }
                if (n == STRIPES_PER_BLOCK) {
                    acc = scramble(acc);
                }
                done += n;
                p += (long) STRIPE * n;
            }
            acc = accumulate(acc, last, LongVector.fromArray(SPECIES, LAST_STRIPE_KEYS, 0));
            // The lanes are read here, not in a helper: C2 may leave a helper out of this large method, and the
            // vector would then be allocated to pass it.
            merge(len, acc.lane(0), acc.lane(1), acc.lane(2), acc.lane(3), acc.lane(4), acc.lane(5), acc.lane(6),
                    acc.lane(7), out, at);
        }

        /** {@link #hashNative} for a byte[]-backed segment. */
        static void hashHeap(MemorySegment segment, long off, long len, byte[] out, int at) {
            MemorySegment seg = (MemorySegment) HEAP_BYTES_SEGMENT.cast(segment);
            LongVector last = loadHeap(seg, off + len - STRIPE); // before the loop: see the note above
            LongVector acc = LongVector.fromArray(SPECIES, INIT_ACC, 0);
            long stripes = (len - 1) / STRIPE;
            long p = off;
            for (long done = 0; done < stripes; ) {
                int n = (int) Math.min(STRIPES_PER_BLOCK, stripes - done);
                for (int s = 0; s < n; s++) {
                    acc = accumulate(acc, loadHeap(seg, p + STRIPE * s), LongVector.fromArray(SPECIES, WORDS, s));
                }
                if (n == STRIPES_PER_BLOCK) {
                    acc = scramble(acc);
                }
                done += n;
                p += (long) STRIPE * n;
            }
            acc = accumulate(acc, last, LongVector.fromArray(SPECIES, LAST_STRIPE_KEYS, 0));
            // The lanes are read here, not in a helper: C2 may leave a helper out of this large method, and the
            // vector would then be allocated to pass it.
            merge(len, acc.lane(0), acc.lane(1), acc.lane(2), acc.lane(3), acc.lane(4), acc.lane(5), acc.lane(6),
                    acc.lane(7), out, at);
        }

        /** 64 bytes of a native segment as 8 little-endian longs. */
        private static LongVector loadNative(MemorySegment seg, long at) {
            return LongVector.fromMemorySegment(SPECIES, seg, at, ByteOrder.LITTLE_ENDIAN);
        }

        /**
         * 64 bytes of a heap segment as 8 little-endian longs: loaded as bytes and reinterpreted (the vector loops
         * run on little-endian platforms only), as C2 does not intrinsify a long-vector load from a byte[].
         */
        private static LongVector loadHeap(MemorySegment seg, long at) {
            return (LongVector) ByteVector.fromMemorySegment(BYTES, seg, at, ByteOrder.LITTLE_ENDIAN)
                    .reinterpretShape(SPECIES, 0);
        }

        /** XXH3_accumulate_512: acc[i] += lo32(d[i]^k[i]) * hi32(d[i]^k[i]) + d[i^1]. */
        private static LongVector accumulate(LongVector acc, LongVector data, LongVector key) {
            LongVector k = data.lanewise(VectorOperators.XOR, key);
            LongVector product = k.lanewise(VectorOperators.AND, LOW).mul(k.lanewise(VectorOperators.LSHR, 32));
            return acc.add(data.rearrange(SWAP).add(product));
        }

        /** XXH3_scrambleAcc with the secret's last 64 bytes. */
        private static LongVector scramble(LongVector acc) {
            return acc.lanewise(VectorOperators.XOR, acc.lanewise(VectorOperators.LSHR, 47))
                    .lanewise(VectorOperators.XOR, LongVector.fromArray(SPECIES, WORDS, 16))
                    .mul(PRIME);
        }
    }

    /** The 8 accumulators in two 256-bit vectors: lanes 0..3 and 4..7 of each stripe. */
    private static final class Vector256 {
        private static final VectorSpecies<Long> SPECIES = LongVector.SPECIES_256;
        private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_256;
        private static final VectorShuffle<Long> SWAP = VectorShuffle.fromValues(SPECIES, 1, 0, 3, 2);
        private static final LongVector LOW = LongVector.broadcast(SPECIES, LOW32);
        private static final LongVector PRIME = LongVector.broadcast(SPECIES, PRIME32_1);

        static void hashNative(MemorySegment segment, long off, long len, byte[] out, int at) {
            MemorySegment seg = (MemorySegment) NATIVE_SEGMENT.cast(segment);
            long q = off + len - STRIPE;
            LongVector lastLo = loadNative(seg, q); // before the loop: see the note above
            LongVector lastHi = loadNative(seg, q + 32);
            LongVector lo = LongVector.fromArray(SPECIES, INIT_ACC, 0);
            LongVector hi = LongVector.fromArray(SPECIES, INIT_ACC, 4);
            long stripes = (len - 1) / STRIPE;
            long p = off;
            for (long done = 0; done < stripes; ) {
                int n = (int) Math.min(STRIPES_PER_BLOCK, stripes - done);
                for (int s = 0; s < n; s++) {
                    long r = p + STRIPE * s;
                    lo = accumulate(lo, loadNative(seg, r), LongVector.fromArray(SPECIES, WORDS, s));
                    hi = accumulate(hi, loadNative(seg, r + 32), LongVector.fromArray(SPECIES, WORDS, s + 4));
                }
                if (n == STRIPES_PER_BLOCK) {
                    lo = scramble(lo, 16);
                    hi = scramble(hi, 20);
                }
                done += n;
                p += (long) STRIPE * n;
            }
            lo = accumulate(lo, lastLo, LongVector.fromArray(SPECIES, LAST_STRIPE_KEYS, 0));
            hi = accumulate(hi, lastHi, LongVector.fromArray(SPECIES, LAST_STRIPE_KEYS, 4));
            // The lanes are read here, not in a helper: C2 may leave a helper out of this large method, and the
            // two vectors would then be allocated to pass them.
            merge(len, lo.lane(0), lo.lane(1), lo.lane(2), lo.lane(3), hi.lane(0), hi.lane(1), hi.lane(2),
                    hi.lane(3), out, at);
        }

        /** {@link #hashNative} for a byte[]-backed segment. */
        static void hashHeap(MemorySegment segment, long off, long len, byte[] out, int at) {
            MemorySegment seg = (MemorySegment) HEAP_BYTES_SEGMENT.cast(segment);
            long q = off + len - STRIPE;
            LongVector lastLo = loadHeap(seg, q); // before the loop: see the note above
            LongVector lastHi = loadHeap(seg, q + 32);
            LongVector lo = LongVector.fromArray(SPECIES, INIT_ACC, 0);
            LongVector hi = LongVector.fromArray(SPECIES, INIT_ACC, 4);
            long stripes = (len - 1) / STRIPE;
            long p = off;
            for (long done = 0; done < stripes; ) {
                int n = (int) Math.min(STRIPES_PER_BLOCK, stripes - done);
                for (int s = 0; s < n; s++) {
                    long r = p + STRIPE * s;
                    lo = accumulate(lo, loadHeap(seg, r), LongVector.fromArray(SPECIES, WORDS, s));
                    hi = accumulate(hi, loadHeap(seg, r + 32), LongVector.fromArray(SPECIES, WORDS, s + 4));
                }
                if (n == STRIPES_PER_BLOCK) {
                    lo = scramble(lo, 16);
                    hi = scramble(hi, 20);
                }
                done += n;
                p += (long) STRIPE * n;
            }
            lo = accumulate(lo, lastLo, LongVector.fromArray(SPECIES, LAST_STRIPE_KEYS, 0));
            hi = accumulate(hi, lastHi, LongVector.fromArray(SPECIES, LAST_STRIPE_KEYS, 4));
            // The lanes are read here, not in a helper: C2 may leave a helper out of this large method, and the
            // two vectors would then be allocated to pass them.
            merge(len, lo.lane(0), lo.lane(1), lo.lane(2), lo.lane(3), hi.lane(0), hi.lane(1), hi.lane(2),
                    hi.lane(3), out, at);
        }

        private static LongVector loadNative(MemorySegment seg, long at) {
            return LongVector.fromMemorySegment(SPECIES, seg, at, ByteOrder.LITTLE_ENDIAN);
        }

        private static LongVector loadHeap(MemorySegment seg, long at) {
            return (LongVector) ByteVector.fromMemorySegment(BYTES, seg, at, ByteOrder.LITTLE_ENDIAN)
                    .reinterpretShape(SPECIES, 0);
        }

        private static LongVector accumulate(LongVector acc, LongVector data, LongVector key) {
            LongVector k = data.lanewise(VectorOperators.XOR, key);
            LongVector product = k.lanewise(VectorOperators.AND, LOW).mul(k.lanewise(VectorOperators.LSHR, 32));
            return acc.add(data.rearrange(SWAP).add(product));
        }

        private static LongVector scramble(LongVector acc, int keyWord) {
            return acc.lanewise(VectorOperators.XOR, acc.lanewise(VectorOperators.LSHR, 47))
                    .lanewise(VectorOperators.XOR, LongVector.fromArray(SPECIES, WORDS, keyWord))
                    .mul(PRIME);
        }
    }

    /**
     * The widest vector loop the CPU runs natively. The loads reinterpret bytes as longs in the platform's lane
     * order, so the vector loops need a little-endian platform. {@code -Ddwcp.xxh3.path=scalar|v256|v512}
     * forces a narrower loop (for measurements).
     */
    private static int chooseLongPath() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return LONG_PATH_SCALAR;
        }
        String forced = System.getProperty("dwcp.xxh3.path", "");
        if (!VectorSupport.usable() && forced.isEmpty()) {
            return LONG_PATH_SCALAR; // no C2: the vector loops would run as allocating Java
        }
        int bits = LongVector.SPECIES_PREFERRED.vectorBitSize();
        int widest = bits >= 512 ? LONG_PATH_V512 : bits >= 256 ? LONG_PATH_V256 : LONG_PATH_SCALAR;
        int wanted = switch (forced) {
            case "scalar" -> LONG_PATH_SCALAR;
            case "v256" -> LONG_PATH_V256;
            default -> LONG_PATH_V512;
        };
        return Math.min(widest, wanted);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Primitives

    /** XXH3_mix16B with seed 0: the folded 128-bit product of two keyed words. */
    private static long mix16(long a, long b, long keyA, long keyB) {
        long x = a ^ keyA;
        long y = b ^ keyB;
        return (x * y) ^ Math.unsignedMultiplyHigh(x, y);
    }

    private static long scramble(long acc, long key) {
        return (acc ^ (acc >>> 47) ^ key) * PRIME32_1;
    }

    private static long avalanche3(long h) {
        h ^= h >>> 37;
        h *= PRIME_MX1;
        return h ^ (h >>> 32);
    }

    private static long avalanche64(long h) {
        h ^= h >>> 33;
        h *= PRIME64_2;
        h ^= h >>> 29;
        h *= PRIME64_3;
        return h ^ (h >>> 32);
    }

    private static void put(byte[] out, int at, long hi, long lo) {
        BE64.set(out, at, hi);
        BE64.set(out, at + 8, lo);
    }

    private static long sec64(int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (SECRET[at + i] & 0xFF);
        }
        return v;
    }

    private static int sec32(int at) {
        return (int) sec64(at);
    }

    private static long[] words(int from, int count) {
        long[] r = new long[count];
        for (int i = 0; i < count; i++) {
            r[i] = sec64(from + 8 * i);
        }
        return r;
    }
}
