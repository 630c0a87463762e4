package io.dwcp.engine.storage;

import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.manifest.Entry;
import io.dwcp.zerocopy.DataFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The resume journal of a part file: which blocks are verified there and their digests, kept in the part file
 * itself, right after the file's last byte, so part file and journal can never be separated, outlive each other or
 * belong to different files. The part file is cut to the file's size before it gets its final name.
 *
 * <pre>
 *  at the file's size (offsets relative to it):
 *  +---------------------------------------------------------------+
 *  |                      magic "DWCPJRNL"                         |  +0
 *  +---------------------------------------------------------------+
 *  |          version              |          block size           |  +8
 *  +---------------------------------------------------------------+
 *  |                 file size (the offer's, 64 bit)               |  +16
 *  +---------------------------------------------------------------+
 *  |              file mtime (the offer's, ns, 64 bit)             |  +24
 *  +---------------------------------------------------------------+
 *  |         block count           |        verified blocks        |  +32
 *  +---------------------------------------------------------------+
 *  | bitmap: ceil(blocks / 8) bytes, bit i % 8 of byte i / 8 set = block i verified  |  +40
 *  +---------------------------------------------------------------+
 *  | digests: 16 bytes a block (XXH3-128), zero where not verified |
 *  +---------------------------------------------------------------+
 *  |               CRC32C of everything above                      |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A journal is only a hint: one that is torn, corrupt, of another version or for another file (size, mtime) is
 * ignored, and the blocks a valid one lists are read and digested again before they count. One written for another
 * block size (a send with {@code --block-size} interrupted, then sent again without it) is read at its own, and the
 * new blocks wholly inside what it proves are digested at the new size: that work is kept too.
 */
public final class PartJournal {
    static final long MAGIC = 0x4457_4350_4a52_4e4cL;
    /** 2: the block digests it lists are hash lists of page digests ({@code BlockDigests}). */
    static final int VERSION = 2;
    private static final int HEADER = 40;

    /** What a valid journal says: digests of verified blocks (zero elsewhere) and how many there are. */
    public record Verified(byte[] digests, long[] have, int count) {
        boolean has(int i) {
            return (have[i >>> 6] & (1L << (i & 63))) != 0;
        }
    }

    private PartJournal() {
    }

    static int length(int blocks) {
        return HEADER + (blocks + 7) / 8 + blocks * BlockDigests.DIGEST_LENGTH + 4;
    }

    /** Writes the journal of {@code entry}'s part file: block i is verified when {@code have} says so. */
    static void write(DataFile part, Entry entry, int blockSize, long[] have, byte[] digests) throws IOException {
        int blocks = FileBlocks.blockCount(entry.size(), blockSize);
        ByteBuffer b = ByteBuffer.allocate(length(blocks));
        b.putLong(MAGIC).putInt(VERSION).putInt(blockSize).putLong(entry.size()).putLong(entry.mtimeNanos())
                .putInt(blocks).putInt(0);
        int count = 0;
        for (int i = 0; i < blocks; i += 8) {
            int bits = 0;
            for (int j = i; j < Math.min(blocks, i + 8); j++) {
                if ((have[j >>> 6] & (1L << (j & 63))) != 0) {
                    bits |= 1 << (j - i);
                    count++;
                }
            }
            b.put((byte) bits);
        }
        b.putInt(36, count);
        int at = b.position();
        for (int i = 0; i < blocks; i++) {
            if ((have[i >>> 6] & (1L << (i & 63))) != 0) {
                int d = i * BlockDigests.DIGEST_LENGTH;
                b.put(at + d, digests, d, BlockDigests.DIGEST_LENGTH);
            }
        }
        b.position(at + blocks * BlockDigests.DIGEST_LENGTH);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        try (Arena arena = Arena.ofConfined()) { // native I/O reads from off-heap memory only
            MemorySegment out = arena.allocate(b.capacity());
            MemorySegment.copy(b.array(), 0, out, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.capacity());
            part.writeFully(out, 0, b.capacity(), entry.size());
        }
        part.truncate(entry.size() + b.capacity()); // a longer journal of another block size leaves no tail behind
    }

    /**
     * What the part file at {@code partPath} holds of {@code entry} in blocks of {@code blockSize}, proven: its
     * journal read, then every block it lists read and digested again through {@code scratch} (a buffer of at least
     * {@code blockSize} bytes the caller owns); a block whose bytes no longer match is dropped. A journal of another
     * block size is proven at its own and then carried over ({@link #reblock}). Null when there is no part file, no
     * journal that fits, or nothing proven.
     */
    public static Verified verify(StorageRoot root, String partPath, Entry entry, int blockSize, ByteBuffer scratch) {
        try (DataFile part = root.openRead(partPath, entry.path())) {
            int journalBlockSize = blockSizeOf(part, entry);
            Verified v = journalBlockSize < 0 ? null : read(part, entry, journalBlockSize);
            if (v == null) {
                return null;
            }
            if (journalBlockSize == blockSize) {
                return prove(part, entry, blockSize, v, scratch);
            }
            try (Arena arena = Arena.ofConfined()) { // the old blocks may be bigger than the caller's buffer
                Verified old = prove(part, entry, journalBlockSize, v,
                        journalBlockSize <= scratch.capacity() ? scratch : arena.allocate(journalBlockSize).asByteBuffer());
                return old == null ? null : reblock(part, entry, old, journalBlockSize, blockSize, scratch);
            }
        } catch (IOException | RuntimeException e) {
            return null; // no part file, or one we cannot read: the file starts over
        }
    }

    /** Reads and digests again every block {@code v} lists; drops those whose bytes no longer match. */
    private static Verified prove(DataFile part, Entry entry, int blockSize, Verified v, ByteBuffer buffer)
            throws IOException {
        MemorySegment buf = MemorySegment.ofBuffer(buffer.clear());
        byte[] digest = new byte[BlockDigests.DIGEST_LENGTH];
        int count = 0;
        int blocks = FileBlocks.blockCount(entry.size(), blockSize);
        for (int i = 0; i < blocks; i++) {
            if (!v.has(i)) {
                continue;
            }
            int want = FileBlocks.blockLength(entry.size(), blockSize, i);
            int got = part.readAtMost(buf, 0, want, (long) i * blockSize);
            BlockDigests.digest(buffer.clear().limit(got), digest, 0);
            if (got == want && BlockDigests.equalAt(digest, 0, v.digests(), i)) {
                count++;
            } else {
                v.have()[i >>> 6] &= ~(1L << (i & 63));
                java.util.Arrays.fill(v.digests(), i * 16, i * 16 + 16, (byte) 0);
            }
        }
        return count == 0 ? null : new Verified(v.digests(), v.have(), count);
    }

    /**
     * The blocks of {@code blockSize} that lie wholly in bytes {@code old} (blocks of {@code oldBlockSize}) proved,
     * digested from the part file at the new size.
     */
    static Verified reblock(DataFile part, Entry entry, Verified old, int oldBlockSize, int blockSize,
                            ByteBuffer scratch) throws IOException {
        int blocks = FileBlocks.blockCount(entry.size(), blockSize);
        long[] have = new long[(blocks + 63) / 64];
        byte[] digests = new byte[blocks * BlockDigests.DIGEST_LENGTH];
        MemorySegment buf = MemorySegment.ofBuffer(scratch.clear());
        int count = 0;
        for (int j = 0; j < blocks; j++) {
            long start = (long) j * blockSize;
            int length = FileBlocks.blockLength(entry.size(), blockSize, j);
            boolean covered = true;
            for (long i = start / oldBlockSize; i <= (start + length - 1) / oldBlockSize && covered; i++) {
                covered = old.has((int) i);
            }
            if (!covered || part.readAtMost(buf, 0, length, start) < length) {
                continue;
            }
            BlockDigests.digest(scratch.clear().limit(length), digests, j);
            have[j >>> 6] |= 1L << (j & 63);
            count++;
        }
        return count == 0 ? null : new Verified(digests, have, count);
    }

    /** The block size the journal after {@code entry}'s data was written for, or -1 when there is none for it. */
    private static int blockSizeOf(DataFile part, Entry entry) throws IOException {
        if (part.size() < entry.size() + HEADER) {
            return -1;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(HEADER);
            if (part.readAtMost(in, 0, HEADER, entry.size()) < HEADER) {
                return -1;
            }
            ByteBuffer b = in.asByteBuffer(); // big-endian, as written
            int bs = b.getInt(12);
            boolean fits = b.getLong(0) == MAGIC && b.getInt(8) == VERSION && b.getLong(16) == entry.size()
                    && b.getLong(24) == entry.mtimeNanos() && Integer.bitCount(bs) == 1
                    && bs >= io.dwcp.core.Limits.MIN_BLOCK_SIZE && bs <= io.dwcp.core.Limits.MAX_BLOCK_SIZE;
            return fits ? bs : -1;
        }
    }

    /** The journal of {@code entry}'s part file, or null when there is none that fits this file. */
    static Verified read(DataFile part, Entry entry, int blockSize) throws IOException {
        int blocks = FileBlocks.blockCount(entry.size(), blockSize);
        int n = length(blocks);
        if (part.size() != entry.size() + n) {
            return null;
        }
        byte[] a = new byte[n];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(n);
            if (part.readAtMost(in, 0, n, entry.size()) < n) {
                return null;
            }
            MemorySegment.copy(in, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, a, 0, n);
        }
        ByteBuffer b = ByteBuffer.wrap(a);
        CRC32C crc = new CRC32C();
        crc.update(a, 0, n - 4);
        if (b.getLong(0) != MAGIC || b.getInt(8) != VERSION || b.getInt(12) != blockSize
                || b.getLong(16) != entry.size() || b.getLong(24) != entry.mtimeNanos() || b.getInt(32) != blocks
                || b.getInt(n - 4) != (int) crc.getValue()) {
            return null;
        }
        long[] have = new long[(blocks + 63) / 64];
        int count = 0;
        for (int i = 0; i < blocks; i++) {
            if ((a[HEADER + i / 8] & (1 << (i % 8))) != 0) {
                have[i >>> 6] |= 1L << (i & 63);
                count++;
            }
        }
        byte[] digests = new byte[blocks * BlockDigests.DIGEST_LENGTH];
        System.arraycopy(a, HEADER + (blocks + 7) / 8, digests, 0, digests.length);
        return count == b.getInt(36) ? new Verified(digests, have, count) : null;
    }
}
