package io.dwcp.core.digest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlockDigestsTest {
    private static final int D = BlockDigests.DIGEST_LENGTH;

    /** The pattern used for the known answers below: byte i = ((i*167 + 13) ^ (i >> 8)) & 0xff. */
    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((i * 167 + 13) ^ (i >> 8));
        }
        return b;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static String digestHex(ByteBuffer b) {
        byte[] out = new byte[D];
        BlockDigests.digest(b, out, 0);
        return BlockDigests.hex(out);
    }

    /** Every way a block can be held; all must give the digest of the bytes position..limit. */
    static ByteBuffer[] placements(byte[] data) {
        byte[] padded = new byte[data.length + 40];
        java.util.Arrays.fill(padded, (byte) 0x77);
        System.arraycopy(data, 0, padded, 17, data.length);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
        ByteBuffer directAt = ByteBuffer.allocateDirect(data.length + 40);
        for (int i = 0; i < directAt.capacity(); i++) {
            directAt.put(i, (byte) 0x33);
        }
        directAt.put(9, data).position(9).limit(9 + data.length);
        return new ByteBuffer[] {
            ByteBuffer.wrap(data.clone()),
            ByteBuffer.wrap(padded, 17, data.length),               // heap, position 17
            ByteBuffer.wrap(padded, 17, data.length).slice(),       // heap, arrayOffset 17
            ByteBuffer.wrap(data.clone()).asReadOnlyBuffer(),       // heap without accessible array
            direct,
            directAt,                                               // direct, position 9
            directAt.slice(),                                       // direct slice
            direct.asReadOnlyBuffer(),                              // read-only mapping-like
            ByteBuffer.wrap(data.clone()).order(java.nio.ByteOrder.LITTLE_ENDIAN),
            ByteBuffer.allocateDirect(data.length).order(java.nio.ByteOrder.LITTLE_ENDIAN).put(data).flip(),
        };
    }

    /** XXH3-128 by the reference library (hash4j), laid out as BlockDigests writes it: high then low, big-endian. */
    static byte[] reference(byte[] in) {
        HashValue128 h = Hashing.xxh3_128().hashBytesTo128Bits(in);
        return ByteBuffer.allocate(D).putLong(h.getMostSignificantBits()).putLong(h.getLeastSignificantBits()).array();
    }

    /** The definition, built from the reference library: XXH3-128 of the concatenated XXH3-128 of each 4 KiB page. */
    static byte[] referenceBlockDigest(byte[] block) {
        int pages = (block.length + 4095) / 4096;
        byte[] list = new byte[pages * D];
        for (int p = 0; p < pages; p++) {
            int from = p * 4096;
            System.arraycopy(reference(Arrays.copyOfRange(block, from, Math.min(block.length, from + 4096))),
                    0, list, p * D, D);
        }
        return reference(list);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 16, 17, 240, 241, 4095, 4096, 4097, 8192, 15 * 4096, 15 * 4096 + 1, 16 * 4096,
        65536 + 3, 1 << 20, (1 << 20) - 1, 16 << 20})
    void aBlockDigestIsTheXxh3OfItsPageDigests(int n) {
        byte[] data = random(n, n + 11);
        byte[] want = referenceBlockDigest(data);
        for (ByteBuffer b : placements(data)) {
            byte[] out = new byte[D];
            BlockDigests.digest(b, out, 0);
            assertArrayEquals(want, out, b.toString());
        }
    }

    /** A pinned value of the definition, so that a change to it cannot pass unnoticed by both ends at once. */
    @Test
    void aMebibyteOfThePatternHasItsPinnedDigest() {
        byte[] data = pattern(1 << 20);
        assertEquals(BlockDigests.hex(referenceBlockDigest(data)), digestHex(ByteBuffer.wrap(data)));
        assertEquals("434df12a94e17434ed3b412c9245e818", digestHex(ByteBuffer.wrap(data)));
    }

    /** The page digests a block digest is built from come out with it: the first 8 bytes of each, as PageDigests. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 4096, 4097, 100_000, 1 << 20})
    void thePageDigestsComeWithTheBlockDigest(int n) {
        byte[] data = random(n, 77);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            assertPagesAndBlock(data, arena.allocate(n + 9));
        }
    }

    /** Digests {@code data}, placed at offset 9 of {@code seg}, and checks its block digest and page digests. */
    private static void assertPagesAndBlock(byte[] data, java.lang.foreign.MemorySegment seg) {
        int n = data.length;
        java.lang.foreign.MemorySegment.copy(data, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 9, n);
        int length = PageDigests.length(n);
        byte[] pages = new byte[length + 24];
        java.util.Arrays.fill(pages, (byte) 0x5a);
        byte[] out = new byte[2 * D];
        BlockDigests.digest(seg, 9, n, out, 1, pages, 24);
        byte[] want = new byte[length];
        PageDigests.digest(seg, 9, n, want, 0, new byte[16]);
        assertArrayEquals(want, Arrays.copyOfRange(pages, 24, 24 + length));
        for (int i = 0; i < 24; i++) {
            assertEquals(0x5a, pages[i], "byte " + i + " before the page digests was written");
        }
        assertArrayEquals(referenceBlockDigest(data), Arrays.copyOfRange(out, D, 2 * D));
        for (int p = 0; p < (n + 4095) / 4096; p++) {
            byte[] page = reference(Arrays.copyOfRange(data, p * 4096, Math.min(n, p * 4096 + 4096)));
            assertArrayEquals(java.util.Arrays.copyOf(page, 8),
                    Arrays.copyOfRange(pages, 24 + p * 8, 24 + p * 8 + 8), "page " + p);
        }
    }

    @Test
    void aBlockLongerThanTheLargestBlockIsRefused() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment seg = arena.allocate((16 << 20) + 1);
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> BlockDigests.digest(seg, 0, (16 << 20) + 1, new byte[D], 0));
        }
    }

    @Test
    void emptyInputIsTheXxh3ReferenceValue() {
        byte[] out = new byte[D];
        BlockDigests.digest(ByteBuffer.allocate(0), out, 0);
        // XXH3_128bits("") = { high64 = 0x99aa06d3014798d8, low64 = 0x6001c324468d497f }
        ByteBuffer want = ByteBuffer.allocate(D).putLong(0x99aa06d3014798d8L).putLong(0x6001c324468d497fL);
        assertArrayEquals(want.array(), out);
        BlockDigests.digest(ByteBuffer.allocateDirect(0), out, 0);
        assertArrayEquals(want.array(), out);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 15, 31, 63, 100, 200, 239, 255, 1000, 1025, 4097, 65536 + 3, 1 << 20})
    void heapAndDirectBuffersAgreeOnRandomData(int n) {
        byte[] data = random(n, n);
        String want = digestHex(ByteBuffer.wrap(data));
        for (ByteBuffer b : placements(data)) {
            int pos = b.position();
            int lim = b.limit();
            assertEquals(want, digestHex(b), b.toString());
            assertEquals(pos, b.position(), "digest must not move the position");
            assertEquals(lim, b.limit(), "digest must not move the limit");
        }
    }

    @Test
    void sameDataSameDigest() {
        byte[] a = random(1 << 20, 1);
        byte[] b = a.clone();
        assertEquals(digestHex(ByteBuffer.wrap(a)), digestHex(ByteBuffer.wrap(b)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 17, 240, 241, 4096, 1 << 20})
    void everySingleBitFlipChangesTheDigest(int n) {
        byte[] data = random(n, 5);
        String base = digestHex(ByteBuffer.wrap(data));
        SplittableRandom rnd = new SplittableRandom(n);
        int[] positions = {0, n / 2, n - 1, rnd.nextInt(n), rnd.nextInt(n)};
        for (int p : positions) {
            for (int bit = 0; bit < 8; bit++) {
                data[p] ^= (byte) (1 << bit);
                assertFalse(base.equals(digestHex(ByteBuffer.wrap(data))), "flip byte " + p + " bit " + bit);
                assertFalse(base.equals(digestHex(ByteBuffer.allocateDirect(n).put(data).flip())));
                data[p] ^= (byte) (1 << bit);
            }
        }
        assertEquals(base, digestHex(ByteBuffer.wrap(data)));
    }

    @Test
    void lengthIsPartOfTheDigest() {
        // Trailing zeros must not collide with the shorter input.
        byte[] data = random(1000, 2);
        String a = digestHex(ByteBuffer.wrap(data));
        String b = digestHex(ByteBuffer.wrap(java.util.Arrays.copyOf(data, 1001)));
        assertFalse(a.equals(b));
        Set<String> zeros = new HashSet<>();
        for (int n = 0; n <= 300; n++) {
            assertTrue(zeros.add(digestHex(ByteBuffer.allocate(n))), "zero blocks of different lengths collide at " + n);
        }
    }

    @Test
    void digestWritesOnlyItsOwnSlot() {
        byte[] out = new byte[5 * D];
        java.util.Arrays.fill(out, (byte) 0x55);
        BlockDigests.digest(ByteBuffer.wrap(pattern(3)), out, 2);
        assertEquals(BlockDigests.hex(referenceBlockDigest(pattern(3))), HexFormat.of().formatHex(out, 2 * D, 3 * D));
        for (int i = 0; i < out.length; i++) {
            if (i < 2 * D || i >= 3 * D) {
                assertEquals(0x55, out[i], "byte " + i + " outside the slot was written");
            }
        }
        assertTrue(BlockDigests.equalAt(out, 0, out, 1));
        assertFalse(BlockDigests.equalAt(out, 1, out, 2));
        byte[] other = new byte[D];
        BlockDigests.digest(ByteBuffer.wrap(pattern(3)), other, 0);
        assertTrue(BlockDigests.equalAt(out, 2, other, 0));
    }

    private static byte[] digests(int count, long seed) {
        byte[] d = new byte[count * D];
        for (int i = 0; i < count; i++) {
            BlockDigests.digest(ByteBuffer.wrap(random(4096, seed + i)), d, i);
        }
        return d;
    }

    @Test
    void fileDigestIsDeterministicAndDependsOnOrder() {
        byte[] d = digests(4, 100);
        long len = 3L * 4096 + 17;
        byte[] f1 = BlockDigests.fileDigest(d, 4, len);
        assertArrayEquals(f1, BlockDigests.fileDigest(d.clone(), 4, len));
        assertEquals(D, f1.length);
        // Swap blocks 1 and 2.
        byte[] swapped = d.clone();
        System.arraycopy(d, 2 * D, swapped, D, D);
        System.arraycopy(d, D, swapped, 2 * D, D);
        assertFalse(java.util.Arrays.equals(f1, BlockDigests.fileDigest(swapped, 4, len)));
        // One block's digest changed by one bit.
        byte[] flipped = d.clone();
        flipped[3 * D + 7] ^= 1;
        assertFalse(java.util.Arrays.equals(f1, BlockDigests.fileDigest(flipped, 4, len)));
    }

    /** The definition on the wire: XXH3-128 (hash4j) of the block digests followed by the length, 64-bit LE. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 14, 15, 64, 2048})
    void fileDigestIsXxh3OfTheDigestListAndTheLength(int count) {
        byte[] d = digests(count, 300 + count);
        long len = (long) count * 1_048_576 - 5;
        byte[] in = java.util.Arrays.copyOf(d, count * D + 8);
        ByteBuffer.wrap(in).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(count * D, len);
        HashValue128 h = Hashing.xxh3_128().hashBytesTo128Bits(in);
        byte[] expected = ByteBuffer.allocate(D).putLong(h.getMostSignificantBits())
                .putLong(h.getLeastSignificantBits()).array();
        assertArrayEquals(expected, BlockDigests.fileDigest(d, count, len), "count " + count);
    }

    @Test
    void fileDigestDependsOnLengthAndCount() {
        byte[] d = digests(4, 200);
        byte[] f = BlockDigests.fileDigest(d, 4, 16_000);
        assertFalse(java.util.Arrays.equals(f, BlockDigests.fileDigest(d, 4, 16_001)));
        assertFalse(java.util.Arrays.equals(f, BlockDigests.fileDigest(d, 4, 16_000L + (1L << 40))));
        assertFalse(java.util.Arrays.equals(f, BlockDigests.fileDigest(d, 3, 16_000)));
        // Only the first count digests are used: bytes beyond them do not matter.
        byte[] longer = java.util.Arrays.copyOf(d, 6 * D);
        longer[5 * D] = 42;
        assertArrayEquals(f, BlockDigests.fileDigest(longer, 4, 16_000));
        // Empty file: no blocks, the digest of just the length.
        assertFalse(java.util.Arrays.equals(BlockDigests.fileDigest(new byte[0], 0, 0),
                BlockDigests.fileDigest(new byte[0], 0, 1)));
    }

    @Test
    void fileDigestIsXxh3OfDigestsThenLittleEndianLength() {
        // The documented construction, checked against a reference value: xxhsum -H2 of 8 zero bytes
        // (no blocks, length 0) is the file digest of an empty file.
        assertEquals("2c0a8a99dc147d5445c3b49d035665b2", BlockDigests.hex(BlockDigests.fileDigest(new byte[0], 0, 0)));
        // Length 0x0102030405060708 goes on the wire little-endian: bytes 08 07 06 05 04 03 02 01.
        assertEquals("f29531cf5c95abf55e5d745f3707486f",
                BlockDigests.hex(BlockDigests.fileDigest(new byte[0], 0, 0x0102030405060708L)));
        // With blocks: equal to digest(concat(digests) || le64(length)).
        byte[] d = digests(3, 300);
        ByteBuffer in = ByteBuffer.allocate(3 * D + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        in.put(d).putLong(0x0102030405060708L);
        assertArrayEquals(reference(in.array()), BlockDigests.fileDigest(d, 3, 0x0102030405060708L));
    }

    @Test
    void hexIsLowerCase() {
        assertEquals("00ff10ab", BlockDigests.hex(new byte[] {0, (byte) 0xff, 0x10, (byte) 0xab}));
    }

    @Test
    void aBlockDigestIsTheDigestOfItsPageListEvenWithPagesReplaced() {
        SplittableRandom r = new SplittableRandom(11);
        for (int length : new int[] {1, 4096, 4097, 1 << 20, (1 << 20) - 5}) {
            byte[] bytes = new byte[length];
            r.nextBytes(bytes);
            MemorySegment seg = MemorySegment.ofArray(bytes);
            int pages = (length + 4095) / 4096;
            byte[] list = new byte[3 + pages * BlockDigests.PER_PAGE];
            byte[] whole = new byte[16];
            BlockDigests.digest(seg, 0, length, whole, 0, null, 0, list, 3);
            byte[] fromList = new byte[32];
            BlockDigests.ofPageList(list, 3, pages, fromList, 1);
            assertArrayEquals(whole, Arrays.copyOfRange(fromList, 16, 32),
                    "length=" + length);
            // Replace one page's bytes and only its entry in the list: the same digest as the new bytes'.
            int p = pages / 2;
            int from = p * 4096;
            int to = Math.min(length, from + 4096);
            for (int i = from; i < to; i++) {
                bytes[i] ^= 0x5a;
            }
            byte[] page = new byte[16];
            Xxh3.hash128(seg, from, to - from, page, 0);
            System.arraycopy(page, 0, list, 3 + p * BlockDigests.PER_PAGE, 16);
            BlockDigests.ofPageList(list, 3, pages, fromList, 0);
            BlockDigests.digest(seg, 0, length, whole, 0);
            assertArrayEquals(whole, Arrays.copyOfRange(fromList, 0, 16),
                    "length=" + length + " page replaced");
        }
    }
}
