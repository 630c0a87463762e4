package io.dwcp.bench;

import io.dwcp.simd.DeltaKernel;
import io.dwcp.simd.DeltaKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * XOR-delta encode of one block against its basis (the sender's work for a changed file), against copying the
 * same bytes: the issue asks that the fused encode reach at least 0.8x of a copy's bandwidth.
 *
 * <p>One operation covers one block of {@code block} bytes, so bytes/s = ops/s × block ({@code bench/jmh.sh}
 * converts with the {@code block} parameter). Basis, target and output are each {@code block} bytes, reused
 * every operation: 64 KiB sits in L2, 1 MiB and 4 MiB (12 MiB for the three) in L3, so these are in-cache
 * figures, as for the other per-block benchmarks.
 *
 * <ul>
 *   <li>{@code encodeVector}: {@link DeltaKernels#vector()} at the CPU's preferred width; {@code encodeVector256}
 *       the same capped at 256 bits ({@code -Ddwcp.simd.bits=256}: what an AVX2 machine runs).</li>
 *   <li>{@code encodeScalar}: {@link DeltaKernels#scalar()}, eight bytes at a time.</li>
 *   <li>{@code mismatchThenXor}: the naive two-pass baseline: {@link MemorySegment#mismatch} per page, and
 *       for a page that differs, copy the target page to the output and XOR the basis page into it.</li>
 *   <li>{@code copy}: {@link MemorySegment#copy} of the basis into the output: the bandwidth to compare with.</li>
 * </ul>
 *
 * <p>{@code changed} is the fraction of pages that differ (at least one page): each changed page has eight
 * bytes flipped at a random place in it, as a small in-place edit would.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_MODULES, BenchJvm.VECTOR, BenchJvm.NATIVE_ACCESS})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class XorDeltaBenchmark {
    private static final int PAGE = DeltaKernel.PAGE;
    private static final DeltaKernel VECTOR = DeltaKernels.vector();
    private static final DeltaKernel SCALAR = DeltaKernels.scalar();

    /** A block to copy: source and destination of {@code block} bytes, on the heap or off it. */
    @State(Scope.Thread)
    public static class Blocks {
        @Param({"65536", "1048576", "4194304"})
        public int block;

        /** {@code heap}: segments over {@code byte[]}; {@code offheap}: page-aligned native memory. */
        @Param({"heap", "offheap"})
        public String memory;

        Arena arena;
        MemorySegment basis;
        MemorySegment out;

        @Setup(Level.Trial)
        public void allocate() {
            arena = Arena.ofShared();
            basis = segment();
            out = segment();
            SplittableRandom r = new SplittableRandom(42);
            for (long i = 0; i < block; i += 8) {
                basis.set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
            }
        }

        MemorySegment segment() {
            return switch (memory) {
                case "heap" -> MemorySegment.ofArray(new byte[block]);
                case "offheap" -> arena.allocate(block, PAGE);
                default -> throw new IllegalArgumentException("memory=" + memory);
            };
        }

        @TearDown(Level.Trial)
        public void free() {
            arena.close();
        }
    }

    /**
     * A block's changed version and a page map, over the {@link Blocks} it is injected with (a JMH state
     * dependency, so that {@code copy} does not run once per {@code changed}).
     */
    @State(Scope.Thread)
    public static class Delta {
        @Param({"0.01", "1"})
        public double changed;

        int block;
        MemorySegment basis;
        MemorySegment target;
        MemorySegment out;
        long[] map;

        @Setup(Level.Trial)
        public void change(Blocks b) {
            block = b.block;
            basis = b.basis;
            out = b.out;
            target = b.segment().copyFrom(basis);
            int pages = DeltaKernels.pageCount(block);
            int n = Math.max(1, (int) Math.round(changed * pages));
            SplittableRandom r = new SplittableRandom(9);
            int[] pick = r.ints(0, pages).distinct().limit(n).toArray();
            for (int page : pick) {
                long at = (long) page * PAGE + r.nextInt(PAGE - 8);
                target.set(ValueLayout.JAVA_LONG_UNALIGNED, at, ~target.get(ValueLayout.JAVA_LONG_UNALIGNED, at));
            }
            map = new long[DeltaKernels.mapWords(block)];
            // Sanity: the three encoders agree, and the delta restores the target.
            long v = VECTOR.encode(basis, 0, target, 0, block, out, 0, map);
            MemorySegment payload = b.segment().copyFrom(out);
            long s = SCALAR.encode(basis, 0, target, 0, block, out, 0, map);
            long m = naive(this);
            MemorySegment restored = b.segment().copyFrom(basis);
            VECTOR.apply(restored, 0, block, payload, 0, map);
            if (v != (long) n * PAGE || s != v || m != v || out.asSlice(0, v).mismatch(payload.asSlice(0, v)) != -1
                    || restored.mismatch(target) != -1) {
                throw new IllegalStateException("encoders disagree: vector " + v + " scalar " + s + " naive " + m
                        + ", " + n + " pages changed");
            }
            System.err.println("kernel " + VECTOR.name() + ", " + n + " of " + pages + " pages changed");
        }
    }

    @Benchmark
    public long encodeVector(Delta d) {
        return VECTOR.encode(d.basis, 0, d.target, 0, d.block, d.out, 0, d.map);
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_MODULES, BenchJvm.VECTOR, BenchJvm.NATIVE_ACCESS,
        "-Ddwcp.simd.bits=256"})
    public long encodeVector256(Delta d) {
        return VECTOR.encode(d.basis, 0, d.target, 0, d.block, d.out, 0, d.map);
    }

    @Benchmark
    public long encodeScalar(Delta d) {
        return SCALAR.encode(d.basis, 0, d.target, 0, d.block, d.out, 0, d.map);
    }

    @Benchmark
    public long mismatchThenXor(Delta d) {
        return naive(d);
    }

    /** Compare first, XOR after: both inputs are read again for every page that differs. */
    static long naive(Delta d) {
        Arrays.fill(d.map, 0);
        long cursor = 0;
        for (int p = 0; p * (long) PAGE < d.block; p++) {
            long at = (long) p * PAGE;
            if (MemorySegment.mismatch(d.basis, at, at + PAGE, d.target, at, at + PAGE) >= 0) {
                MemorySegment.copy(d.target, at, d.out, cursor, PAGE);
                VECTOR.xorInto(d.out, cursor, d.basis, at, PAGE);
                cursor += PAGE;
                d.map[p >>> 6] |= 1L << p;
            }
        }
        return cursor;
    }

    @Benchmark
    public MemorySegment copy(Blocks b) {
        MemorySegment.copy(b.basis, 0, b.out, 0, b.block);
        return b.out;
    }
}
