package io.dwcp.core.digest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * 128-bit digests: XXH3-128 (seed 0), the hash rsync 3.2+ uses as its strong checksum: non-cryptographic,
 * collision-resistant far beyond what a block map needs, and fast. It is computed by {@link Xxh3}, our
 * implementation over {@code MemorySegment}, because blocks live off-heap (direct buffers) where hash4j's byte
 * accessors ran at about half the speed. {@code Xxh3} is checked against hash4j on every length up to 2 KiB
 * and many larger ones, and against the reference {@code xxhsum -H2} values.
 *
 * <p>A block digest covers the exact bytes of one block. The whole-file digest is XXH3-128 over the
 * concatenated block digests followed by the file length (64-bit LE): a hash list, so each side computes it
 * in a single pass while blocks arrive on any stream in any order, and a block's bytes are read once.
 */
public final class BlockDigests {
    public static final int DIGEST_LENGTH = 16;
    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BlockDigests() {
    }

    /** Digests {@code block} from position to limit (unchanged) into {@code out[index*16 .. +16)}. */
    public static void digest(ByteBuffer block, byte[] out, int index) {
        Xxh3.hash128(MemorySegment.ofBuffer(block), 0, block.remaining(), out, index * DIGEST_LENGTH);
    }

    /**
     * Digests {@code segment[offset, offset+length)} into {@code out[index*16 .. +16)}: the same digest as
     * {@link #digest(ByteBuffer, byte[], int)}, without wrapping a buffer in a new segment per block.
     */
    public static void digest(MemorySegment segment, long offset, long length, byte[] out, int index) {
        Xxh3.hash128(segment, offset, length, out, index * DIGEST_LENGTH);
    }

    /** The whole-file digest from {@code count} block digests and the file length. */
    public static byte[] fileDigest(byte[] blockDigests, int count, long fileLength) {
        int listed = count * DIGEST_LENGTH;
        byte[] out = new byte[DIGEST_LENGTH];
        // Hashed from native memory, as the blocks are: Xxh3's long loops then see one kind of segment, and a
        // short-lived process never starts the Vector API for a few kilobytes (measured: 0.06 CPU-s of a 64 MiB
        // send). Once per file, so the arena costs nothing that matters.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(listed + Long.BYTES);
            MemorySegment.copy(blockDigests, 0, in, ValueLayout.JAVA_BYTE, 0, listed);
            in.set(LE64, listed, fileLength);
            Xxh3.hash128(in, 0, in.byteSize(), out, 0);
        }
        return out;
    }

    public static boolean equalAt(byte[] a, int ia, byte[] b, int ib) {
        return Arrays.equals(a, ia * DIGEST_LENGTH, (ia + 1) * DIGEST_LENGTH, b, ib * DIGEST_LENGTH,
                (ib + 1) * DIGEST_LENGTH);
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
