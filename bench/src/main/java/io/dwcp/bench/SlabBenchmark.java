package io.dwcp.bench;

import io.dwcp.core.digest.Xxh3;
import io.dwcp.numa.HugePageMode;
import io.dwcp.numa.HugePages;
import io.dwcp.numa.PageKind;
import io.dwcp.numa.Region;
import io.dwcp.numa.SizeClasses;
import io.dwcp.numa.Slab;
import io.dwcp.numa.SlabPool;
import io.dwcp.numa.Topology;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Where a data-plane buffer comes from, and what its pages cost the per-block checks.
 *
 * <ul>
 *   <li>{@code alloc*} (ns per buffer, one thread, taken and given back at once): a {@link SlabPool} slab
 *       against {@code ByteBuffer.allocateDirect} (zeroed, freed by GC), {@code Arena.ofConfined().allocate}
 *       (zeroed, freed by close) and Netty's {@code PooledByteBufAllocator.DEFAULT.directBuffer} (+release), at
 *       64 KiB and 1 MiB. A slab and a Netty buffer are not zeroed; the other two are, which is part of their
 *       cost.</li>
 *   <li>{@code crc32c}/{@code xxh3} (1 op = one 1 MiB block, as in {@link BlockBenchmark}): CRC32C through
 *       {@code asByteBuffer} and {@link Xxh3#hash128} over a 64 MiB region, a different block each op, so the
 *       data comes from memory and the page walk is paid: {@code pages=huge} is what {@code --hugepages auto}
 *       gets (HUGETLB when reserved, else THP; the kind is printed at setup), {@code plain} is 4 KiB pages.</li>
 * </ul>
 */
public class SlabBenchmark extends BlockBenchmark {
    private static final long REGION = 64L << 20;
    private static final int BLOCKS = (int) (REGION / BLOCK);

    /** The allocators, for one buffer size. */
    @State(Scope.Thread)
    public static class Alloc {
        @Param({"65536", "1048576"})
        public int size;

        SlabPool pool;

        @Setup(Level.Trial)
        public void setUp() {
            Topology t = Topology.detect();
            pool = new SlabPool(64L << 20, SizeClasses.of(64 * 1024, 1 << 20), HugePages.create(HugePageMode.AUTO,
                    t.nodeCount()), t);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            System.err.println("slab pool: " + pool.stats());
            pool.close();
        }
    }

    /** A 64 MiB region of random bytes, huge or plain pages. */
    @State(Scope.Thread)
    public static class Memory {
        @Param({"huge", "plain"})
        public String pages;

        Region region;
        ByteBuffer[] blocks;
        int next;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            HugePageMode mode = pages.equals("huge") ? HugePageMode.AUTO : HugePageMode.OFF;
            region = HugePages.create(mode, 1).allocate(REGION, 0);
            MemorySegment seg = region.segment();
            byte[] chunk = new byte[BLOCK];
            SplittableRandom rnd = new SplittableRandom(7);
            blocks = new ByteBuffer[BLOCKS];
            for (int i = 0; i < BLOCKS; i++) {
                rnd.nextBytes(chunk);
                MemorySegment.copy(MemorySegment.ofArray(chunk), 0, seg, (long) i * BLOCK, BLOCK);
                blocks[i] = seg.asSlice((long) i * BLOCK, BLOCK).asByteBuffer();
            }
            System.err.println("pages=" + pages + " got " + region + (region.kind() == PageKind.THP
                    ? " " + io.dwcp.numa.MemInfo.read() : ""));
        }

        int nextBlock() {
            int b = next;
            next = b + 1 == BLOCKS ? 0 : b + 1;
            return b;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            region.close();
        }
    }

    private final CRC32C crc = new CRC32C();
    private final byte[] digest = new byte[16];

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public MemorySegment allocSlab(Alloc a) {
        Slab s = a.pool.tryAcquire(a.size);
        MemorySegment seg = s.segment();
        s.release();
        return seg;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public ByteBuffer allocDirectByteBuffer(Alloc a) {
        return ByteBuffer.allocateDirect(a.size);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long allocConfinedArena(Alloc a) {
        try (Arena arena = Arena.ofConfined()) {
            return arena.allocate(a.size, 4096).address();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int allocNettyPooled(Alloc a) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(a.size);
        int cap = b.capacity();
        b.release();
        return cap;
    }

    @Benchmark
    public long crc32c(Memory m) {
        ByteBuffer b = m.blocks[m.nextBlock()];
        crc.reset();
        crc.update(b.clear());
        return crc.getValue();
    }

    @Benchmark
    public byte[] xxh3(Memory m) {
        Xxh3.hash128(m.region.segment(), (long) m.nextBlock() * BLOCK, BLOCK, digest, 0);
        return digest;
    }
}
