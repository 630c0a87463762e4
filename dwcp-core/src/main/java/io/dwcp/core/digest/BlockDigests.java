package io.dwcp.core.digest;

import com.dynatrace.hash4j.hashing.ByteAccess;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;
import com.dynatrace.hash4j.hashing.HashValue128;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * 128-bit digests: XXH3-128 (the hash rsync 3.2+ uses as its default strong checksum), computed by hash4j,
 * which is pure Java on {@code VarHandle}/FFM access (no {@code sun.misc.Unsafe}), maintained, and tested
 * against the reference implementation's vectors.
 *
 * <p>A block digest covers the exact bytes of one block. The whole-file digest is XXH3-128 over the
 * concatenated block digests followed by the file length (64-bit LE): a hash list, so each side computes it
 * in a single pass while blocks arrive on any stream in any order, and a block's bytes are read once.
 */
public final class BlockDigests {
    public static final int DIGEST_LENGTH = 16;
    private static final Hasher128 HASHER = Hashing.xxh3_128();
    /*
     * hash4j's ByteAccess.forByteBuffer(order) reads multi-byte values with the buffer's own getLong/getInt and
     * takes {@code order} to be that buffer's byte order. Reading a default (big-endian) direct or mapped
     * buffer through the little-endian accessor gives a value that is not XXH3 and differs from the same bytes
     * on the heap; so such buffers are read through a little-endian view (no per-word byte swap, unlike the
     * big-endian accessor, which costs about half the throughput).
     */
    private static final ByteAccess<ByteBuffer> LITTLE_ENDIAN_ACCESS = ByteAccess.forByteBuffer(ByteOrder.LITTLE_ENDIAN);

    private BlockDigests() {
    }

    /** Digests {@code block} from position to limit (unchanged) into {@code out[index*16 .. +16)}. */
    public static void digest(ByteBuffer block, byte[] out, int index) {
        HashValue128 h;
        if (block.hasArray()) {
            h = HASHER.hashBytesTo128Bits(block.array(), block.arrayOffset() + block.position(), block.remaining());
        } else {
            ByteBuffer le = block.order() == ByteOrder.LITTLE_ENDIAN ? block
                    : block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            h = HASHER.hashBytesTo128Bits(le, le.position(), le.remaining(), LITTLE_ENDIAN_ACCESS);
        }
        put(h, out, index * DIGEST_LENGTH);
    }

    /** The whole-file digest from {@code count} block digests and the file length. */
    public static byte[] fileDigest(byte[] blockDigests, int count, long fileLength) {
        byte[] in = Arrays.copyOf(blockDigests, count * DIGEST_LENGTH + Long.BYTES);
        ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN).putLong(count * DIGEST_LENGTH, fileLength);
        byte[] out = new byte[DIGEST_LENGTH];
        put(HASHER.hashBytesTo128Bits(in), out, 0);
        return out;
    }

    public static boolean equalAt(byte[] a, int ia, byte[] b, int ib) {
        return Arrays.equals(a, ia * DIGEST_LENGTH, (ia + 1) * DIGEST_LENGTH, b, ib * DIGEST_LENGTH,
                (ib + 1) * DIGEST_LENGTH);
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    private static void put(HashValue128 h, byte[] out, int at) {
        long hi = h.getMostSignificantBits();
        long lo = h.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            out[at + i] = (byte) (hi >>> (56 - 8 * i));
            out[at + 8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
    }
}
