package io.dwcp.core.digest;

import io.dwcp.core.Limits;
import io.dwcp.core.frame.PageMapDescriptor;
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
 * <p>Two hash lists, so that every byte is hashed once:
 * <ul>
 *   <li>A block digest is XXH3-128 over the concatenated XXH3-128 digests (16 bytes each) of the block's 4 KiB
 *       pages ({@link PageMapDescriptor#PAGE}; the last may be shorter). A changed block is refined to the pages
 *       that differ by those same page digests ({@link PageDigests}: their first 8 bytes), so neither end hashes a
 *       changed block twice, once whole and once by page (measured: that second pass was a quarter of a delta
 *       sender's busiest thread).</li>
 *   <li>The whole-file digest is XXH3-128 over the concatenated block digests followed by the file length
 *       (64-bit LE), so each side computes it in a single pass while blocks arrive on any stream in any order.</li>
 * </ul>
 */
public final class BlockDigests {
    public static final int DIGEST_LENGTH = 16;
    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Bytes of the list a block digest hashes: 16 per page. */
    public static final int PER_PAGE = 16;
    /** The longest page list: the largest block's pages, 16 bytes each (64 KiB). */
    static final int MAX_LIST = PageMapDescriptor.pages(Limits.MAX_BLOCK_SIZE) * PER_PAGE;
    /**
     * Each thread's page list: the page digests land in the array, and are hashed from a native copy, since the
     * long-input loops of {@link Xxh3} slow down once one JVM feeds them heap and native segments alike (measured,
     * the scalar loop under C2: 12.3 GB/s with a heap list hashed beside every native 1 MiB, 12.9 with none, of
     * which the list's own bytes are 0.4%).
     *
     * <p>Owned by its thread and bounded: {@link #MAX_LIST} bytes of each, made once at the thread's first block
     * digest and never reallocated, so a thread holds one list however many blocks and files it digests. The native
     * copy's arena is the list's ({@code Arena.ofAuto}): there is no hook at a thread's end to close it, so it goes
     * when the thread's locals are collected. The threads that digest are long-lived (streams, pinned workers, the
     * sessions' pool), so that is a handful of lists per process.
     */
    private static final ThreadLocal<PageList> LISTS = ThreadLocal.withInitial(PageList::new);

    private BlockDigests() {
    }

    /**
     * Digests {@code block} from position to limit (unchanged) into {@code out[index*16 .. +16)}. Wraps the buffer
     * in a segment per call: for tests and cold paths.
     */
    public static void digest(ByteBuffer block, byte[] out, int index) {
        digest(MemorySegment.ofBuffer(block), 0, block.remaining(), out, index);
    }

    /** Digests {@code segment[offset, offset+length)} into {@code out[index*16 .. +16)}. */
    public static void digest(MemorySegment segment, long offset, long length, byte[] out, int index) {
        digest(segment, offset, length, out, index, null, 0);
    }

    /**
     * As {@link #digest(MemorySegment, long, long, byte[], int)}, and also writes the block's {@link PageDigests}
     * ({@link PageDigests#length} bytes) to {@code pages} from {@code pagesAt} when {@code pages} is not null: both
     * from one pass over the bytes.
     */
    public static void digest(MemorySegment segment, long offset, long length, byte[] out, int index, byte[] pages,
                              int pagesAt) {
        digest(segment, offset, length, out, index, pages, pagesAt, null, 0);
    }

    /**
     * As {@link #digest(MemorySegment, long, long, byte[], int, byte[], int)}, and also writes the block's whole page
     * digests ({@value #PER_PAGE} bytes each, the list the block digest hashes) to {@code list} from {@code listAt}
     * when {@code list} is not null: with them a receiver can make the digest of the block with some pages replaced
     * ({@link #ofPageList}) without reading the others.
     */
    public static void digest(MemorySegment segment, long offset, long length, byte[] out, int index, byte[] pages,
                              int pagesAt, byte[] list, int listAt) {
        if (length < 0 || length > Limits.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("block_length=" + length + " max=" + Limits.MAX_BLOCK_SIZE);
        }
        int n = PageMapDescriptor.pages((int) length);
        int listed = n * PER_PAGE;
        PageList pageList = LISTS.get();
        Xxh3.hash128Pieces(segment, offset, length, PageMapDescriptor.PAGE, pageList.digests, 0);
        if (pages != null) {
            for (int p = 0; p < n; p++) {
                System.arraycopy(pageList.digests, p * PER_PAGE, pages, pagesAt + p * PageDigests.DIGEST_LENGTH,
                        PageDigests.DIGEST_LENGTH);
            }
        }
        if (list != null) {
            System.arraycopy(pageList.digests, 0, list, listAt, listed);
        }
        MemorySegment.copy(pageList.digests, 0, pageList.hashed, ValueLayout.JAVA_BYTE, 0, listed);
        Xxh3.hash128(pageList.hashed, 0, listed, out, index * DIGEST_LENGTH);
    }

    /**
     * The digest of a block from its page digests: {@code pages} of them, {@value #PER_PAGE} bytes each, in
     * {@code list} from {@code listAt}, into {@code out[index*16 .. +16)}. Equal to {@link #digest} of the block's
     * bytes when the list holds their page digests.
     */
    public static void ofPageList(byte[] list, int listAt, int pages, byte[] out, int index) {
        int listed = pages * PER_PAGE;
        if (pages < 0 || listed > MAX_LIST) {
            throw new IllegalArgumentException("pages=" + pages + " max=" + MAX_LIST / PER_PAGE);
        }
        PageList pageList = LISTS.get();
        MemorySegment.copy(list, listAt, pageList.hashed, ValueLayout.JAVA_BYTE, 0, listed);
        Xxh3.hash128(pageList.hashed, 0, listed, out, index * DIGEST_LENGTH);
    }

    /** One thread's page list, never shared (see {@link #LISTS}). */
    private static final class PageList {
        final byte[] digests = new byte[MAX_LIST];
        final MemorySegment hashed = Arena.ofAuto().allocate(MAX_LIST, 64);
    }

    /** The whole-file digest from {@code count} block digests and the file length. */
    public static byte[] fileDigest(byte[] blockDigests, int count, long fileLength) {
        int listed = count * DIGEST_LENGTH;
        byte[] out = new byte[DIGEST_LENGTH];
        // Hashed from native memory, as the blocks are: Xxh3's long loops then see one kind of segment, and a
        // short-lived process never starts the Vector API for a few kilobytes (measured: 0.06 CPU-s of a 64 MiB
        // send). A list that fits (files up to 4,095 blocks) goes through the thread's page list: a tree's commit
        // digests every file, and an arena each was four objects per file.
        if (listed + Long.BYTES <= MAX_LIST) {
            return hashList(LISTS.get().hashed, blockDigests, listed, fileLength, out);
        }
        try (Arena arena = Arena.ofConfined()) {
            return hashList(arena.allocate(listed + Long.BYTES), blockDigests, listed, fileLength, out);
        }
    }

    /** The list and the file length, copied into {@code in} and hashed into {@code out}. */
    private static byte[] hashList(MemorySegment in, byte[] blockDigests, int listed, long fileLength, byte[] out) {
        MemorySegment.copy(blockDigests, 0, in, ValueLayout.JAVA_BYTE, 0, listed);
        in.set(LE64, listed, fileLength);
        Xxh3.hash128(in, 0, listed + Long.BYTES, out, 0);
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
