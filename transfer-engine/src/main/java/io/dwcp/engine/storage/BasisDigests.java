package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.digest.PageSums;
import io.dwcp.core.frame.PageMapDescriptor;
import io.dwcp.core.digest.PageDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.ReadAhead;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** Block digests of a file the receiver already has (the basis a changed file is compared against). */
public final class BasisDigests {
    private BasisDigests() {
    }

    /**
     * Digests every block of {@code path} (size {@code size} when it was looked at) through {@code scratch}, a
     * direct buffer of at least one block that the caller owns, so a tree of files allocates no buffer per file.
     * {@code onBlock} runs after each block: a long digest is activity, not idleness. A basis that shrank meanwhile
     * is digested as far as it goes; its missing blocks then simply differ.
     */
    public static byte[] digest(StorageRoot root, String path, String shown, long size, int blockSize,
                                ByteBuffer scratch, Runnable onBlock) throws DwcpException {
        return digest(root, path, shown, size, blockSize, scratch, onBlock, null).blocks();
    }

    /** As {@link #digest(DataFile, String, long, int, ByteBuffer, Runnable, byte[])}, from the file at {@code path}. */
    public static Digested digest(StorageRoot root, String path, String shown, long size, int blockSize,
                                  ByteBuffer scratch, Runnable onBlock, byte[] pages) throws DwcpException {
        try (DataFile f = root.openRead(path, shown)) {
            return digest(f, shown, size, blockSize, scratch, onBlock, pages);
        } catch (DwcpException e) {
            throw e;
        } catch (IOException e) {
            throw readFailed(shown, e);
        }
    }

    /** As {@link #digest(StorageRoot, String, String, long, int, ByteBuffer, Runnable)}, from {@code f}, left open. */
    public static byte[] digest(DataFile f, String shown, long size, int blockSize, ByteBuffer scratch,
                                Runnable onBlock) throws DwcpException {
        return digest(f, shown, size, blockSize, scratch, onBlock, null).blocks();
    }

    /**
     * The block digests of a basis, and its page digests where {@code pages} ({@link BasisPages#reserve}) is given.
     *
     * @param blocks        {@link BlockDigests#DIGEST_LENGTH} bytes per block
     * @param pagesComplete {@code pages} holds the page digests of every block; false when none were asked for or the
     *                      basis turned out shorter than {@code size} (it shrank meanwhile)
     */
    public record Digested(byte[] blocks, boolean pagesComplete) {
    }

    /** Digests the blocks of {@code f}, left open, and, with {@code pages}, their pages in the same pass. */
    public static Digested digest(DataFile f, String shown, long size, int blockSize, ByteBuffer scratch,
                                  Runnable onBlock, byte[] pages) throws DwcpException {
        return digest(f, shown, size, blockSize, scratch, onBlock, pages, null);
    }

    /**
     * As {@link #digest(DataFile, String, long, int, ByteBuffer, Runnable, byte[])}, and with {@code sums} also every
     * page's whole digest and CRC32C, in the same pass; {@link Digested#pagesComplete} then says whether they are
     * complete too.
     */
    public static Digested digest(DataFile f, String shown, long size, int blockSize, ByteBuffer scratch,
                                  Runnable onBlock, byte[] pages, PageSums sums) throws DwcpException {
        int n = FileBlocks.blockCount(size, blockSize);
        byte[] digests = new byte[n * BlockDigests.DIGEST_LENGTH];
        MemorySegment buf = MemorySegment.ofBuffer(scratch.clear());
        int perBlock = PageDigests.length(blockSize);
        boolean complete = pages != null || sums != null;
        CRC32C crc = sums == null ? null : new CRC32C();
        long advised = ReadAhead.start(size); // a basis cloned for this plan has no cached pages
        try {
            for (int i = 0; i < n; i++) {
                int want = FileBlocks.blockLength(size, blockSize, i);
                long at = (long) i * blockSize;
                advised = ReadAhead.before(f, advised, at, size);
                int got = f.readAtMost(buf, 0, want, at);
                complete &= got == want;
                boolean sum = complete && sums != null;
                BlockDigests.digest(buf, 0, got, digests, i, complete ? pages : null, i * perBlock,
                        sum ? sums.lists() : null, sum ? sums.listAt(i) : 0);
                if (sum) {
                    for (int p = 0, from = 0; from < got; p++, from += PageMapDescriptor.PAGE) {
                        crc.reset();
                        crc.update(scratch.limit(Math.min(got, from + PageMapDescriptor.PAGE)).position(from));
                        sums.crc(sums.firstPage(i) + p, (int) crc.getValue());
                    }
                    scratch.clear();
                }
                onBlock.run();
            }
        } catch (IOException e) {
            throw readFailed(shown, e);
        }
        return new Digested(digests, complete);
    }

    /** The error for a basis that could not be read: {@code e} itself when it says so already. */
    public static DwcpException readFailed(String shown, IOException e) {
        return e instanceof DwcpException d ? d : new DwcpException(ErrorCode.IO, "path=\"" + shown
                + "\" reason=basis-read-failed detail=\"" + e.getMessage() + "\"");
    }

    /**
     * The 8-byte digests of the pages of blocks {@code blocks} of the file at {@code path} (a REFINE), read through
     * {@code buf}, a block the caller owns; {@code size} is the new file's, whose block lengths the sender uses.
     */
    public static byte[] pages(StorageRoot root, String path, String shown, long size, int blockSize, int[] blocks,
                               MemorySegment buf) throws DwcpException {
        try (DataFile basis = root.openRead(path, shown)) {
            return pages(basis, shown, size, blockSize, blocks, buf);
        } catch (DwcpException e) {
            throw e;
        } catch (IOException e) {
            throw readFailed(shown, e);
        }
    }

    /** As {@link #pages(StorageRoot, String, String, long, int, int[], MemorySegment)}, from {@code basis}, left open. */
    public static byte[] pages(DataFile basis, String shown, long size, int blockSize, int[] blocks,
                               MemorySegment buf) throws DwcpException {
        int total = 0;
        for (int b : blocks) {
            total += PageDigests.length(FileBlocks.blockLength(size, blockSize, b));
        }
        byte[] out = new byte[total];
        byte[] scratch = new byte[16];
        int at = 0;
        try {
            for (int b : blocks) {
                int length = FileBlocks.blockLength(size, blockSize, b);
                long position = (long) b * blockSize;
                // A basis that shrank meanwhile: the missing bytes read as zeros, the digests decide.
                int got = basis.readAtMost(buf, 0, length, position);
                buf.asSlice(got, length - got).fill((byte) 0);
                PageDigests.digest(buf, 0, length, out, at, scratch);
                at += PageDigests.length(length);
            }
        } catch (IOException e) {
            throw readFailed(shown, e);
        }
        return out;
    }
}
