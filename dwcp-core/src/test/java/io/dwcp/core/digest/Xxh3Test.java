package io.dwcp.core.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import jdk.incubator.vector.LongVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Xxh3} against hash4j's XXH3-128 (itself tested against the reference vectors). */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class Xxh3Test {
    private static final Hasher128 REFERENCE = Hashing.xxh3_128();
    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int MIB = 1 << 20;
    /** Room for the largest input (1 MiB + 4 KiB + 1) at any offset below 4 KiB. */
    private static final byte[] DATA = random(MIB + 8192, 0x5EED);

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** The reference value of DATA[off, off+len) as {high, low}. */
    static long[] reference(byte[] data, int off, int len) {
        HashValue128 h = REFERENCE.hashBytesTo128Bits(data, off, len);
        return new long[] {h.getMostSignificantBits(), h.getLeastSignificantBits()};
    }

    static void assertHash(long[] expected, MemorySegment segment, long off, long len, String what) {
        long[] actual = Xxh3.hash128(segment, off, len);
        assertEquals(hex(expected), hex(actual), what + ": length " + len + " at offset " + off);
    }

    static String hex(long[] h) {
        return String.format("%016x%016x", h[0], h[1]);
    }

    /** The same bytes as DATA on the heap, in a confined arena and in a direct buffer. */
    private record Segments(MemorySegment heap, MemorySegment arena, MemorySegment direct) {
        static Segments of(Arena arena) {
            MemorySegment heap = MemorySegment.ofArray(DATA);
            MemorySegment native1 = arena.allocate(DATA.length, 64);
            native1.copyFrom(heap);
            MemorySegment native2 = MemorySegment.ofBuffer(ByteBuffer.allocateDirect(DATA.length).put(DATA).flip());
            return new Segments(heap, native1, native2);
        }

        void assertAll(int off, int len) {
            long[] expected = reference(DATA, off, len);
            assertHash(expected, heap, off, len, "heap");
            assertHash(expected, arena, off, len, "confined arena");
            assertHash(expected, direct, off, len, "direct buffer");
        }
    }

    /**
     * Known answers from the reference implementation ({@code xxhsum -H2}, xxHash 0.8.1), whose canonical
     * output is high 64 bits then low 64 bits, both big-endian: the layout hash128 writes. The sizes cross
     * XXH3's internal boundaries (0, 1-3, 4-8, 9-16, 17-128, 129-240, > 240, stripes and blocks of 1 KiB).
     */
    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({
        "0,       99aa06d3014798d86001c324468d497f",
        "1,       79d2c79e874f72cd8a21d78b1538b1c0",
        "3,       27056158676515d75f1fa6d2a3aa5a3b",
        "8,       5ee08611acaf82709987b0f6a787fcff",
        "16,      aefc4c7b6b2355e8ff22986fb4aba31b",
        "17,      f600c8a98b27cda20dfdb8ed0de7262a",
        "128,     9b0e839b5061f424572dd69bd15cdb73",
        "129,     485b2b823d90afa95a753049f4b49d33",
        "240,     5d572fc255e19c13dfd310866e8ad632",
        "241,     7fb50ebce4e0117802f838dd48200ee8",
        "1024,    8e9558c9191b4041bac810ae0f683fb2",
        "4096,    b3c55f810b814cb8230aa355d42347d7",
        "1048576, 7256a06d71c286d623d41d5297581178"})
    void knownAnswersFromTheReferenceImplementation(int n, String hex) {
        for (java.nio.ByteBuffer b : BlockDigestsTest.placements(BlockDigestsTest.pattern(n))) {
            byte[] out = new byte[16];
            Xxh3.hash128(java.lang.foreign.MemorySegment.ofBuffer(b), 0, b.remaining(), out, 0);
            assertEquals(hex, java.util.HexFormat.of().formatHex(out), b.toString());
        }
    }

    /** Pieces hash as separate inputs, whichever long-input loop runs, and write only their own slots. */
    @Test
    void piecesAreHashedAsSeparateInputs() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(DATA.length);
            MemorySegment.copy(DATA, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, DATA.length);
            int[][] cases = {{0, 0, 4096}, {3, 1, 4096}, {5, 4096, 4096}, {1, 4097, 4096}, {0, 16 * 4096 + 200, 4096},
                {7, MIB, 4096}, {0, 1000, 241}, {0, 1000, 100}, {2, 999, 16}, {0, 50, 1}};
            for (int[] c : cases) {
                int off = c[0];
                int len = c[1];
                int piece = c[2];
                int pieces = (len + piece - 1) / piece;
                byte[] out = new byte[pieces * 16 + 32];
                java.util.Arrays.fill(out, (byte) 0x11);
                Xxh3.hash128Pieces(seg, off, len, piece, out, 16);
                for (int i = 0; i < pieces; i++) {
                    int from = off + i * piece;
                    long[] want = reference(DATA, from, Math.min(piece, off + len - from));
                    assertEquals(hex(want), java.util.HexFormat.of().formatHex(out, 16 + i * 16, 32 + i * 16),
                            "off " + off + " len " + len + " piece " + i);
                }
                for (int i = 0; i < 16; i++) {
                    assertEquals(0x11, out[i]);
                    assertEquals(0x11, out[out.length - 1 - i]);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> Xxh3.hash128Pieces(seg, 0, 10, 0, new byte[16], 0));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> Xxh3.hash128Pieces(seg, 0, 8193, 4096, new byte[47], 0));
        }
    }

    @Test
    void emptyInputIsTheReferenceValue() {
        byte[] out = new byte[16];
        Xxh3.hash128(MemorySegment.ofArray(new byte[0]), 0, 0, out, 0);
        assertEquals("99aa06d3014798d86001c324468d497f", HexFormat.of().formatHex(out));
        long[] h = Xxh3.hash128(MemorySegment.ofArray(DATA), 17, 0);
        assertEquals(0x99aa06d3014798d8L, h[0]);
        assertEquals(0x6001c324468d497fL, h[1]);
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(hex(h), hex(Xxh3.hash128(arena.allocate(8), 8, 0)));
        }
    }

    @Test
    void everyLengthUpTo2048AtRandomOffsets() {
        SplittableRandom rnd = new SplittableRandom(1);
        try (Arena arena = Arena.ofConfined()) {
            Segments s = Segments.of(arena);
            for (int len = 0; len <= 2048; len++) {
                s.assertAll(rnd.nextInt(4096), len);
            }
        }
    }

    @Test
    void lengthsAroundBlockAndStripeBoundaries() {
        SplittableRandom rnd = new SplittableRandom(2);
        try (Arena arena = Arena.ofConfined()) {
            Segments s = Segments.of(arena);
            for (int base : new int[] {4096, 65536, MIB}) {
                for (int d : new int[] {-65, -64, -63, -2, -1, 0, 1, 2, 63, 64, 65}) {
                    s.assertAll(rnd.nextInt(4096), base + d);
                }
            }
            for (int blocks = 1; blocks <= 4; blocks++) { // 1 KiB blocks: the scramble boundary
                for (int d = -1; d <= 1; d++) {
                    s.assertAll(rnd.nextInt(4096), blocks * 1024 + d);
                }
            }
        }
    }

    @Test
    void randomBigLengthsAtRandomOffsets() {
        SplittableRandom rnd = new SplittableRandom(3);
        try (Arena arena = Arena.ofConfined()) {
            Segments s = Segments.of(arena);
            for (int i = 0; i < 24; i++) {
                s.assertAll(rnd.nextInt(4096), 2049 + rnd.nextInt(MIB + 4096 - 2049));
            }
        }
    }

    /** Every long-input loop (scalar, 2x256-bit, 512-bit) on native and heap segments, whichever one runs here. */
    @ParameterizedTest
    @ValueSource(ints = {Xxh3.LONG_PATH_SCALAR, Xxh3.LONG_PATH_V256, Xxh3.LONG_PATH_V512})
    void everyLongInputLoopMatches(int path) {
        int bits = path == Xxh3.LONG_PATH_V512 ? 512 : path == Xxh3.LONG_PATH_V256 ? 256 : 0;
        assumeTrue(LongVector.SPECIES_PREFERRED.vectorBitSize() >= bits, "no " + bits + "-bit vectors here");
        List<Integer> lengths = new ArrayList<>();
        for (int len = 241; len <= 2200; len++) {
            lengths.add(len);
        }
        for (int len : new int[] {4095, 4096, 4097, 65535, 65536, 65537, MIB - 1, MIB, MIB + 1}) {
            lengths.add(len);
        }
        SplittableRandom rnd = new SplittableRandom(4);
        byte[] out = new byte[16];
        try (Arena arena = Arena.ofConfined()) {
            Segments s = Segments.of(arena);
            for (int len : lengths) {
                int off = rnd.nextInt(4096);
                long[] expected = reference(DATA, off, len);
                for (MemorySegment seg : new MemorySegment[] {s.heap(), s.arena(), s.direct()}) {
                    Xxh3.hash128With(path, seg, off, len, out, 0);
                    long[] actual = {(long) BE64.get(out, 0), (long) BE64.get(out, 8)};
                    assertEquals(hex(expected), hex(actual), "path " + path + ", " + seg + ", length " + len);
                }
            }
        }
    }

    @Test
    void mappedReadOnlyAndOtherSegmentKinds(@TempDir Path dir) throws IOException {
        int[] lengths = {0, 3, 16, 100, 240, 241, 1000, 5000, 65536 + 7, MIB};
        Path file = dir.resolve("data.bin");
        Files.write(file, DATA);
        try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(file)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, DATA.length, arena);
            MemorySegment readOnlyHeap = MemorySegment.ofBuffer(ByteBuffer.wrap(DATA).asReadOnlyBuffer());
            MemorySegment sliced = MemorySegment.ofBuffer(ByteBuffer.wrap(DATA, 1000, 4000).slice());
            MemorySegment longs = MemorySegment.ofArray(new long[DATA.length / 8]);
            longs.copyFrom(MemorySegment.ofArray(DATA).asSlice(0, longs.byteSize()));
            for (int len : lengths) {
                long[] expected = reference(DATA, 3, len);
                assertHash(expected, mapped, 3, len, "mapped");
                assertHash(expected, readOnlyHeap, 3, len, "read-only heap buffer");
                assertHash(expected, longs, 3, len, "long[] segment");
                if (len <= 3997) {
                    assertHash(reference(DATA, 1003, len), sliced, 3, len, "sliced heap buffer");
                }
            }
            // A segment that is itself a slice: offsets are relative to it.
            MemorySegment slice = mapped.asSlice(777, 70_000);
            assertHash(reference(DATA, 777 + 5, 65_000), slice, 5, 65_000, "slice of mapped");
        }
    }

    @Test
    void writesHighThenLowBigEndianAtTheGivenIndexOnly() {
        byte[] out = new byte[40];
        Arrays.fill(out, (byte) 0x5A);
        MemorySegment seg = MemorySegment.ofArray(DATA);
        for (int len : new int[] {5, 200, 3000}) {
            Xxh3.hash128(seg, 9, len, out, 13);
            long[] expected = reference(DATA, 9, len);
            ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.BIG_ENDIAN);
            assertEquals(expected[0], b.getLong(13));
            assertEquals(expected[1], b.getLong(21));
            for (int i = 0; i < out.length; i++) {
                if (i < 13 || i >= 29) {
                    assertEquals((byte) 0x5A, out[i], "byte " + i + " untouched");
                }
            }
        }
    }

    /** The way BlockDigests wraps a block (position to limit, any byte order, heap or direct, read-only or not). */
    @Test
    void matchesTheReferenceThroughByteBufferViews() {
        int off = 3;
        int len = MIB;
        long[] expected = reference(DATA, off, len);
        ByteBuffer direct = ByteBuffer.allocateDirect(DATA.length).put(DATA).position(off).limit(off + len);
        ByteBuffer heapSlice = ByteBuffer.wrap(DATA, off, len).slice(); // arrayOffset() == 3
        ByteBuffer[] views = {
            direct, direct.duplicate().order(ByteOrder.LITTLE_ENDIAN), direct.asReadOnlyBuffer(),
            ByteBuffer.wrap(DATA).position(off).limit(off + len), heapSlice, heapSlice.asReadOnlyBuffer(),
        };
        byte[] out = new byte[48];
        for (ByteBuffer view : views) {
            int position = view.position();
            Xxh3.hash128(MemorySegment.ofBuffer(view), 0, view.remaining(), out, 32);
            ByteBuffer result = ByteBuffer.wrap(out);
            assertEquals(hex(expected), hex(new long[] {result.getLong(32), result.getLong(40)}), view.toString());
            assertEquals(position, view.position(), "position unchanged");
        }
    }

    @Test
    void rejectsRangesOutsideTheSegmentOrTheOutputArray() {
        MemorySegment seg = MemorySegment.ofArray(new byte[100]);
        byte[] out = new byte[16];
        assertThrows(IndexOutOfBoundsException.class, () -> Xxh3.hash128(seg, 0, 101, out, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Xxh3.hash128(seg, 90, 11, out, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Xxh3.hash128(seg, -1, 10, out, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Xxh3.hash128(seg, 0, -1, out, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Xxh3.hash128(seg, 0, 10, out, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> Xxh3.hash128(seg, 0, 10, new byte[15], 0));
        MemorySegment big = MemorySegment.ofArray(new byte[4096]);
        assertThrows(IndexOutOfBoundsException.class, () -> Xxh3.hash128(big, 1, 4096, out, 0));
    }

    @Test
    void aClosedArenaOrAnotherThreadIsRefusedNotRead() throws Exception {
        Arena arena = Arena.ofConfined();
        MemorySegment seg = arena.allocate(8192);
        byte[] out = new byte[16];
        List<Throwable> thrown = new ArrayList<>();
        Thread other = Thread.ofPlatform().start(() -> {
            for (long len : new long[] {5, 100, 8192}) {
                try {
                    Xxh3.hash128(seg, 0, len, out, 0);
                    thrown.add(null);
                } catch (RuntimeException e) {
                    thrown.add(e);
                }
            }
        });
        other.join();
        assertEquals(3, thrown.size());
        for (Throwable t : thrown) {
            assertEquals(WrongThreadException.class, t == null ? null : t.getClass());
        }
        arena.close();
        for (long len : new long[] {5, 100, 8192}) {
            assertThrows(IllegalStateException.class, () -> Xxh3.hash128(seg, 0, len, out, 0));
        }
    }

    @Test
    void usesTheWidestVectorLoopTheCpuHas() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN && System.getProperty("dwcp.xxh3.path") == null);
        int bits = LongVector.SPECIES_PREFERRED.vectorBitSize();
        int expected = bits >= 512 ? Xxh3.LONG_PATH_V512 : bits >= 256 ? Xxh3.LONG_PATH_V256 : Xxh3.LONG_PATH_SCALAR;
        assertEquals(expected, Xxh3.longPath());
    }

    @Test
    void nativeLongInputTakesTheScalarLoopUntilTheBudgetIsSpent() {
        assumeTrue(System.getProperty("dwcp.xxh3.path") == null, "a forced path turns the budget off");
        long before = Xxh3.scalarBytesLeft();
        assumeTrue(before > 2 * MIB, "another test in this JVM spent the budget");
        String expected = hex(reference(DATA, 0, MIB));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(MIB);
            seg.copyFrom(MemorySegment.ofArray(DATA).asSlice(0, MIB));
            assertEquals(expected, hex(Xxh3.hash128(seg, 0, MIB)));
            assertEquals(before - MIB, Xxh3.scalarBytesLeft(), "a native long input is charged");
            Xxh3.hash128(seg, 0, 240);
            assertEquals(before - MIB, Xxh3.scalarBytesLeft(), "short inputs never reach a long loop");
        }
        assertEquals(expected, hex(Xxh3.hash128(MemorySegment.ofArray(DATA), 0, MIB)));
        assertEquals(before - MIB, Xxh3.scalarBytesLeft(), "heap input stays on the vector loop");
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // spends the JVM's scalar budget, which another test needs first
    void theVectorLoopCanBeWarmedUpAndThenServesEveryHash() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Xxh3.longPath() != Xxh3.LONG_PATH_SCALAR, "no vector loop here");
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("dwcp.xxh3.path") == null, "path forced");
        assertTrue(Xxh3.warmUpVectorPath(20_000), "the vector loop did not get fast within 20 s");
        assertTrue(Xxh3.scalarBytesLeft() <= 0, "the scalar start-up budget is handed over");
    }
}
