package io.dwcp.core.codec;

import io.dwcp.core.frame.Codec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.Limits;
import io.dwcp.core.codec.TestData.Kind;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.core.frame.DataFrameFlyweight;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Codec choice per {@link CompressMode}, AUTO's back-off, and the largest legal DATA frame. */
class BlockEncoderTest {
    private static final int MIB = 1 << 20;

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"TEXT", "SPARSE"})
    void lz4ModeCompressesCompressibleBlocks(Kind kind) throws Exception {
        BlockEncoder enc = new BlockEncoder(CompressMode.LZ4, MIB);
        byte[] data = TestData.bytes(kind, MIB, 1);
        for (int round = 0; round < 3; round++) {
            ByteBuffer wire = enc.encode(ByteBuffer.wrap(data));
            assertEquals(Codec.LZ4, enc.codec());
            // Real compression, not a token gain: text shrinks at least 3x, sparse data to a few percent.
            int bound = kind == Kind.SPARSE ? MIB / 50 : MIB / 3;
            assertTrue(wire.remaining() < bound, kind + " compressed to " + wire.remaining());
            ByteBuffer out = new BlockDecoder(MIB).decode(Codec.LZ4, wire, MIB);
            assertArrayEquals(data, TestData.remaining(out));
        }
    }

    @Test
    void lz4ModeSendsRandomBlocksRaw() {
        BlockEncoder enc = new BlockEncoder(CompressMode.LZ4, MIB);
        for (int round = 0; round < 5; round++) {
            ByteBuffer block = ByteBuffer.wrap(TestData.bytes(Kind.RANDOM, MIB, round));
            assertSame(block, enc.encode(block));
            assertEquals(Codec.RAW, enc.codec());
        }
    }

    @Test
    void lz4ModeTriesEveryBlock() {
        // Unlike AUTO, --compress lz4 does not back off: compressible data after random data is compressed at once.
        BlockEncoder enc = new BlockEncoder(CompressMode.LZ4, 64 * 1024);
        ByteBuffer random = ByteBuffer.wrap(TestData.bytes(Kind.RANDOM, 64 * 1024, 3));
        for (int i = 0; i < 10; i++) {
            enc.encode(random);
            assertEquals(Codec.RAW, enc.codec());
        }
        enc.encode(ByteBuffer.wrap(TestData.bytes(Kind.TEXT, 64 * 1024, 0)));
        assertEquals(Codec.LZ4, enc.codec());
        assertEquals(0, enc.advisor().attempts(), "LZ4 mode must not consult the advisor");
    }

    @Test
    void offModeNeverCompresses() {
        BlockEncoder enc = new BlockEncoder(CompressMode.OFF, MIB);
        ByteBuffer text = ByteBuffer.allocateDirect(MIB).put(TestData.bytes(Kind.TEXT, MIB, 0)).flip();
        assertSame(text, enc.encode(text));
        assertEquals(Codec.RAW, enc.codec());
        ByteBuffer sparse = ByteBuffer.wrap(TestData.bytes(Kind.SPARSE, MIB, 0));
        assertSame(sparse, enc.encode(sparse));
        assertEquals(Codec.RAW, enc.codec());
    }

    @ParameterizedTest
    @EnumSource(CompressMode.class)
    void allZeroBlocksAreZeroInEveryModeWithoutConsultingTheAdvisor(CompressMode mode) throws Exception {
        BlockEncoder enc = new BlockEncoder(mode, MIB);
        for (int size : new int[] {1, 2, 31, 32, 33, 4096, MIB}) {
            for (ByteBuffer zeros : new ByteBuffer[] {ByteBuffer.allocate(size), ByteBuffer.allocateDirect(size),
                    TestData.place(new byte[size], TestData.Placement.DIRECT_OFFSET),
                    TestData.place(new byte[size], TestData.Placement.HEAP_SLICE)}) {
                ByteBuffer wire = enc.encode(zeros);
                assertEquals(Codec.ZERO, enc.codec(), mode + " size=" + size + " " + zeros);
                assertEquals(0, wire.remaining());
                ByteBuffer out = new BlockDecoder(MIB).decode(Codec.ZERO, wire, size);
                assertEquals(size, out.remaining());
                assertEquals(ByteBuffer.allocate(size), out);
            }
        }
        assertEquals(0, enc.advisor().attempts());
        // The next block with data is encoded normally again.
        ByteBuffer text = ByteBuffer.wrap(TestData.bytes(Kind.TEXT, MIB, 0));
        enc.encode(text);
        assertEquals(mode == CompressMode.OFF ? Codec.RAW : Codec.LZ4, enc.codec());
    }

    @Test
    void oneNonZeroByteAnywhereIsNotAZeroBlock() throws Exception {
        // A block misjudged as all-zero would silently lose data: probe every position across vector widths.
        BlockEncoder enc = new BlockEncoder(CompressMode.OFF, 4096);
        BlockDecoder dec = new BlockDecoder(4096);
        for (int size : new int[] {1, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 300, 1000, 4096}) {
            for (int at = 0; at < size; at++) {
                for (byte value : new byte[] {1, (byte) 0x80}) {
                    byte[] data = new byte[size];
                    data[at] = value;
                    for (TestData.Placement p : new TestData.Placement[] {TestData.Placement.HEAP,
                            TestData.Placement.DIRECT, TestData.Placement.HEAP_READ_ONLY}) {
                        ByteBuffer block = TestData.place(data, p);
                        ByteBuffer wire = enc.encode(block);
                        assertEquals(Codec.RAW, enc.codec(), "size=" + size + " nonzero at " + at + " " + p);
                        assertArrayEquals(data, TestData.remaining(dec.decode(Codec.RAW, wire, size)));
                    }
                }
            }
        }
    }

    @Test
    void zeroScanLooksOnlyBetweenPositionAndLimit() {
        // Zeros inside non-zero junk are a zero block; junk must not make it RAW, zeros around data must not hide it.
        BlockEncoder enc = new BlockEncoder(CompressMode.OFF, 4096);
        ByteBuffer zerosInJunk = TestData.place(new byte[1000], TestData.Placement.DIRECT_OFFSET);
        enc.encode(zerosInJunk);
        assertEquals(Codec.ZERO, enc.codec());
        ByteBuffer dataInZeros = ByteBuffer.allocateDirect(4096);
        dataInZeros.put(2000, (byte) 9).position(1990).limit(2010);
        enc.encode(dataInZeros);
        assertEquals(Codec.RAW, enc.codec());
        dataInZeros.position(2001).limit(4096);
        enc.encode(dataInZeros);
        assertEquals(Codec.ZERO, enc.codec());
    }

    @Test
    void codecResetsToRawAfterAnLz4Block() {
        BlockEncoder enc = new BlockEncoder(CompressMode.LZ4, MIB);
        enc.encode(ByteBuffer.wrap(TestData.bytes(Kind.SPARSE, MIB, 0)));
        assertEquals(Codec.LZ4, enc.codec());
        ByteBuffer random = ByteBuffer.wrap(TestData.bytes(Kind.RANDOM, MIB, 9));
        assertSame(random, enc.encode(random));
        assertEquals(Codec.RAW, enc.codec());
    }

    @Test
    void autoBacksOffOnRandomData() {
        int blocks = 1000;
        BlockEncoder enc = new BlockEncoder(CompressMode.AUTO, 64 * 1024);
        ByteBuffer random = ByteBuffer.wrap(TestData.bytes(Kind.RANDOM, 64 * 1024, 5));
        for (int i = 0; i < blocks; i++) {
            assertSame(random, enc.encode(random));
            assertEquals(Codec.RAW, enc.codec());
        }
        long attempts = enc.advisor().attempts();
        // Back-off 1, 2, 4 ... 64: about 7 attempts for the first 127 blocks, then one per 65 blocks.
        assertTrue(attempts >= 2 && attempts <= blocks / 40, "attempts=" + attempts + " for " + blocks + " blocks");
        assertEquals(0, enc.advisor().paid());
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20, 16 << 20})
    void autoCompressesCompressibleData(int blockSize) throws Exception {
        BlockEncoder enc = new BlockEncoder(CompressMode.AUTO, blockSize);
        ByteBuffer text = ByteBuffer.allocateDirect(blockSize).put(TestData.bytes(Kind.TEXT, blockSize, 0)).flip();
        for (int i = 0; i < 5; i++) {
            ByteBuffer wire = enc.encode(text);
            assertEquals(Codec.LZ4, enc.codec(), "block " + i);
            assertTrue(wire.remaining() <= blockSize * CompressionAdvisor.PAYING_RATIO);
        }
        assertEquals(5, enc.advisor().attempts());
        assertEquals(5, enc.advisor().paid());
    }

    @Test
    void autoNoticesDataTurningCompressibleWithinMaxSkip() {
        BlockEncoder enc = new BlockEncoder(CompressMode.AUTO, 64 * 1024);
        ByteBuffer random = ByteBuffer.wrap(TestData.bytes(Kind.RANDOM, 64 * 1024, 5));
        for (int i = 0; i < 500; i++) {
            enc.encode(random);
        }
        ByteBuffer text = ByteBuffer.wrap(TestData.bytes(Kind.TEXT, 64 * 1024, 0));
        int rawBlocks = 0;
        while (true) {
            enc.encode(text);
            if (enc.codec() == Codec.LZ4) {
                break;
            }
            rawBlocks++;
            assertTrue(rawBlocks <= CompressionAdvisor.MAX_SKIP, "AUTO did not notice compressible data");
        }
        // Once it pays, every following block is tried and compressed again.
        for (int i = 0; i < 10; i++) {
            enc.encode(text);
            assertEquals(Codec.LZ4, enc.codec());
        }
    }

    @Test
    void autoSendsRawWhenLz4GainIsBelowThePayingRatio() {
        // Half random, half zeros: LZ4 saves ~50 %, which pays; 95 % random + 5 % zeros saves < 10 %, which does not.
        int n = 64 * 1024;
        byte[] mostlyRandom = TestData.bytes(Kind.RANDOM, n, 11);
        java.util.Arrays.fill(mostlyRandom, 0, n / 20, (byte) 0);
        BlockEncoder auto = new BlockEncoder(CompressMode.AUTO, n);
        ByteBuffer b = ByteBuffer.wrap(mostlyRandom);
        assertSame(b, auto.encode(b));
        assertEquals(Codec.RAW, auto.codec());
        assertEquals(1, auto.advisor().attempts());
        // The same block under --compress lz4 is sent compressed, since it does shrink a little.
        BlockEncoder lz4 = new BlockEncoder(CompressMode.LZ4, n);
        assertTrue(lz4.encode(b).remaining() < n);
        assertEquals(Codec.LZ4, lz4.codec());

        byte[] halfRandom = TestData.bytes(Kind.RANDOM, n, 12);
        java.util.Arrays.fill(halfRandom, 0, n / 2, (byte) 0);
        BlockEncoder auto2 = new BlockEncoder(CompressMode.AUTO, n);
        auto2.encode(ByteBuffer.wrap(halfRandom));
        assertEquals(Codec.LZ4, auto2.codec());
    }

    @Test
    void largestLegalDataFrameIsAcceptedAndOneByteMoreIsNot() throws Exception {
        // The worst case the receiver must take: LZ4 of 16 MiB of random data (bigger than the data itself).
        int n = Limits.MAX_BLOCK_SIZE;
        byte[] data = TestData.bytes(Kind.RANDOM, n, 77);
        byte[] lz4 = LZ4Factory.fastestInstance().fastCompressor().compress(data);
        assertTrue(lz4.length > n && lz4.length <= DataFrameDescriptor.maxWireLength(n), "lz4=" + lz4.length);

        DataFrameFlyweight frame = new DataFrameFlyweight()
                .wrap(ByteBuffer.allocateDirect(DataFrameDescriptor.FRAME_HEADER_LENGTH));
        frame.encode(Codec.LZ4, 0, (long) n * 1000, n, lz4.length, 0);
        assertEquals(FrameType.DATA, FrameDescriptor.checkPrefix(frame.buffer(), 0, DataFrameDescriptor.maxBody()));
        frame.validate(n);
        ByteBuffer out = new BlockDecoder(n).decode(frame.codec(), ByteBuffer.wrap(lz4), n);
        assertEquals(n, out.remaining());
        assertEquals(ByteBuffer.wrap(data), out);

        // The LZ4 bound itself is legal; one byte more is refused by validate(). The prefix check bounds every frame
        // by the largest payload of any codec (a page frame's map and pages, LZ4-compressed): one byte more than that
        // is refused before anything is read.
        int max = DataFrameDescriptor.maxWireLength(n);
        frame.encode(Codec.LZ4, 0, 0, n, max, 0);
        FrameDescriptor.checkPrefix(frame.buffer(), 0, DataFrameDescriptor.maxBody());
        frame.validate(n);
        frame.encode(Codec.LZ4, 0, 0, n, max + 1, 0);
        DwcpException v = assertThrows(DwcpException.class, () -> frame.validate(n));
        assertTrue(v.getMessage().contains("reason=lz4-too-long"), v.getMessage());
        int largest = DataFrameDescriptor.maxPayload(n);
        frame.encode(Codec.PAGES_LZ4, 0, 0, n, largest, 0);
        FrameDescriptor.checkPrefix(frame.buffer(), 0, DataFrameDescriptor.maxBody());
        frame.validate(n);
        frame.encode(Codec.PAGES_LZ4, 0, 0, n, largest + 1, 0);
        DwcpException e = assertThrows(DwcpException.class,
                () -> FrameDescriptor.checkPrefix(frame.buffer(), 0, DataFrameDescriptor.maxBody()));
        assertTrue(e.getMessage().contains("reason=too-long"), e.getMessage());
        assertThrows(DwcpException.class, () -> frame.validate(n));
    }

    @Test
    void parseCompressMode() {
        assertEquals(CompressMode.AUTO, CompressMode.parse("auto"));
        assertEquals(CompressMode.LZ4, CompressMode.parse("LZ4"));
        assertEquals(CompressMode.OFF, CompressMode.parse("off"));
        assertEquals(CompressMode.OFF, CompressMode.parse("none"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompressMode.parse("zstd"));
        assertTrue(e.getMessage().contains("compress=zstd"), e.getMessage());
    }
}
