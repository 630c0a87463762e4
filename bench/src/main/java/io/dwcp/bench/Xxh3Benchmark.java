package io.dwcp.bench;

import com.dynatrace.hash4j.hashing.ByteAccess;
import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;
import io.dwcp.core.digest.Xxh3;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * XXH3-128 of a 1 MiB block of random bytes: hash4j (what {@code BlockDigests} uses) against {@link Xxh3}.
 *
 * <p>Every operation covers {@link #BLOCK} = 1 MiB, so bytes/s = {@code ops/s × 1,048,576}; in-cache figures.
 *
 * <ul>
 *   <li>{@code hash4jDirect}: hash4j on a little-endian direct buffer through
 *       {@code ByteAccess.forByteBuffer(LITTLE_ENDIAN)}, as {@code BlockDigests.digest} does.</li>
 *   <li>{@code hash4jArray}: hash4j on the same bytes in a {@code byte[]}.</li>
 *   <li>{@code xxh3Native} / {@code xxh3Heap}: {@code Xxh3.hash128} on {@code MemorySegment.ofBuffer(direct)}
 *       and on {@code MemorySegment.ofArray(array)}, each made once.</li>
 *   <li>{@code xxh3NativeOfBufferPerCall}: wraps the direct buffer in a segment on every call, as a
 *       {@code ByteBuffer}-taking caller would.</li>
 * </ul>
 *
 * <p>{@code profile=mixed} first hashes 64 KiB inputs from every kind of buffer and segment (heap and direct
 * buffers in both byte orders; heap, confined, shared and auto-arena segments) thousands of times, as a
 * long-running process does before the measured code is compiled: the JDK-internal call sites then have
 * polymorphic type profiles, which is what a transfer process sees. {@code profile=clean} skips that.
 *
 * <p>{@code Xxh3} picks its long-input loop from the CPU (512-bit vectors, 2x256-bit, scalar); run with
 * {@code -jvmArgsAppend -Ddwcp.xxh3.path=scalar} (or {@code v256}) to measure a narrower one.
 */
public class Xxh3Benchmark extends BlockBenchmark {

    private static final Hasher128 HASH4J = Hashing.xxh3_128();
    private static final ByteAccess<ByteBuffer> LITTLE_ENDIAN = ByteAccess.forByteBuffer(ByteOrder.LITTLE_ENDIAN);

    @Param({"clean", "mixed"})
    public String profile;

    private byte[] array;
    private ByteBuffer direct;
    private MemorySegment nativeSegment;
    private MemorySegment heapSegment;
    private final byte[] digest = new byte[16];

    @Setup(Level.Trial)
    public void setUp() {
        array = new byte[BLOCK];
        new SplittableRandom(7).nextBytes(array);
        direct = ByteBuffer.allocateDirect(BLOCK).order(ByteOrder.LITTLE_ENDIAN).put(array).flip();
        nativeSegment = MemorySegment.ofBuffer(direct);
        heapSegment = MemorySegment.ofArray(array);
        if (profile.equals("mixed")) {
            pollute();
        }
        // Sanity: every variant computes the same value.
        HashValue128 a = HASH4J.hashBytesTo128Bits(array, 0, BLOCK);
        HashValue128 b = HASH4J.hashBytesTo128Bits(direct, 0, BLOCK, LITTLE_ENDIAN);
        long[] c = Xxh3.hash128(nativeSegment, 0, BLOCK);
        long[] d = Xxh3.hash128(heapSegment, 0, BLOCK);
        if (!a.equals(b) || c[0] != a.getMostSignificantBits() || c[1] != a.getLeastSignificantBits()
                || d[0] != c[0] || d[1] != c[1]) {
            throw new IllegalStateException("XXH3 variants differ: " + a + " " + b + " "
                    + Long.toHexString(c[0]) + Long.toHexString(c[1]));
        }
    }

    /** Hashes 64 KiB from every kind of buffer and segment, with both libraries, a few thousand times. */
    private void pollute() {
        int n = 64 << 10;
        ByteBuffer heapBuffer = ByteBuffer.wrap(array, 0, n);
        ByteBuffer directBig = ByteBuffer.allocateDirect(n).put(0, array, 0, n);
        ByteBuffer directLittle = directBig.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteAccess<ByteBuffer> bigEndian = ByteAccess.forByteBuffer(ByteOrder.BIG_ENDIAN);
        try (Arena confined = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
            MemorySegment[] segments = {
                MemorySegment.ofArray(array), MemorySegment.ofBuffer(directBig), MemorySegment.ofBuffer(heapBuffer),
                confined.allocate(n).copyFrom(MemorySegment.ofArray(array).asSlice(0, n)),
                shared.allocate(n).copyFrom(MemorySegment.ofArray(array).asSlice(0, n)),
                Arena.ofAuto().allocate(n).copyFrom(MemorySegment.ofArray(array).asSlice(0, n)),
            };
            long sink = 0;
            for (int round = 0; round < 400; round++) {
                sink += HASH4J.hashBytesTo128Bits(array, 0, n).getAsLong();
                sink += HASH4J.hashBytesTo128Bits(heapBuffer, 0, n, LITTLE_ENDIAN).getAsLong();
                sink += HASH4J.hashBytesTo128Bits(directBig, 0, n, bigEndian).getAsLong();
                sink += HASH4J.hashBytesTo128Bits(directLittle, 0, n, LITTLE_ENDIAN).getAsLong();
                for (MemorySegment segment : segments) {
                    Xxh3.hash128(segment, 0, n, digest, 0);
                    sink += digest[0];
                }
            }
            if (sink == 42) {
                System.out.print("");
            }
        }
    }

    @Benchmark
    public long hash4jDirect() {
        return HASH4J.hashBytesTo128Bits(direct, 0, BLOCK, LITTLE_ENDIAN).getLeastSignificantBits();
    }

    @Benchmark
    public long hash4jArray() {
        return HASH4J.hashBytesTo128Bits(array, 0, BLOCK).getLeastSignificantBits();
    }

    @Benchmark
    public byte[] xxh3Native() {
        Xxh3.hash128(nativeSegment, 0, BLOCK, digest, 0);
        return digest;
    }

    @Benchmark
    public byte[] xxh3Heap() {
        Xxh3.hash128(heapSegment, 0, BLOCK, digest, 0);
        return digest;
    }

    @Benchmark
    public byte[] xxh3NativeOfBufferPerCall() {
        Xxh3.hash128(MemorySegment.ofBuffer(direct), 0, BLOCK, digest, 0);
        return digest;
    }
}
