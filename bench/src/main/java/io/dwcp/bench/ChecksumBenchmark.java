package io.dwcp.bench;

import io.dwcp.core.digest.BlockDigests;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * The two per-block checks on a 1 MiB block of random bytes: the JDK's CRC32C (intrinsic; every DATA frame
 * carries it) and {@link BlockDigests#digest} (XXH3-128; block maps and the whole-file digest).
 *
 * <p>Every operation covers {@link #BLOCK} = 1 MiB, so bytes/s = {@code ops/s × 1,048,576}. The block fits
 * in L2/L3, so these are in-cache figures, an upper bound for data streamed from the page cache.
 *
 * <ul>
 *   <li>{@code crc32cDirect} / {@code crc32cHeap}: {@code CRC32C.update(ByteBuffer)} on a direct buffer and
 *       {@code update(byte[], int, int)} on an array.</li>
 *   <li>{@code xxh3Direct} / {@code xxh3Heap}: {@code BlockDigests.digest} on a direct (default big-endian)
 *       buffer and on a heap buffer.</li>
 *   <li>{@code xxh3DirectLittleEndian}: the same direct bytes through a little-endian view, for reference
 *       (XXH3 reads little-endian words, so a big-endian buffer costs a byte swap per word).</li>
 * </ul>
 */
public class ChecksumBenchmark extends BlockBenchmark {

    private byte[] array;
    private ByteBuffer heap;
    private ByteBuffer direct;
    private ByteBuffer directLittleEndian;
    private final CRC32C crc = new CRC32C();
    private final byte[] digest = new byte[BlockDigests.DIGEST_LENGTH];

    @Setup(Level.Trial)
    public void setUp() {
        array = new byte[BLOCK];
        new SplittableRandom(7).nextBytes(array);
        heap = ByteBuffer.wrap(array);
        direct = ByteBuffer.allocateDirect(BLOCK).put(array).flip();
        directLittleEndian = direct.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        // Sanity: every path digests the same bytes to the same value.
        byte[] a = new byte[16];
        byte[] b = new byte[16];
        byte[] c = new byte[16];
        BlockDigests.digest(heap, a, 0);
        BlockDigests.digest(direct, b, 0);
        BlockDigests.digest(directLittleEndian, c, 0);
        if (!java.util.Arrays.equals(a, b) || !java.util.Arrays.equals(a, c)) {
            throw new IllegalStateException("heap and direct digests differ: " + BlockDigests.hex(a) + " "
                    + BlockDigests.hex(b) + " " + BlockDigests.hex(c));
        }
    }

    @Benchmark
    public long crc32cDirect() {
        crc.reset();
        direct.position(0);
        crc.update(direct); // advances the position to the limit
        return crc.getValue();
    }

    @Benchmark
    public long crc32cHeap() {
        crc.reset();
        crc.update(array, 0, BLOCK);
        return crc.getValue();
    }

    @Benchmark
    public byte[] xxh3Direct() {
        BlockDigests.digest(direct, digest, 0);
        return digest;
    }

    @Benchmark
    public byte[] xxh3DirectLittleEndian() {
        BlockDigests.digest(directLittleEndian, digest, 0);
        return digest;
    }

    @Benchmark
    public byte[] xxh3Heap() {
        BlockDigests.digest(heap, digest, 0);
        return digest;
    }
}
