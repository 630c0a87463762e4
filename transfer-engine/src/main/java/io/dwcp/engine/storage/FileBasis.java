package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.digest.PageDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.zerocopy.FileStat;

/**
 * What an incoming file knows of its basis, the version at the final name when the file was planned: the plan's
 * block digests and the basis's size, what the basis was then ({@link #seen}: a copy made later refuses a basis
 * written since), and the page digests taken in the plan's pass ({@link BasisPages}), which answer REFINEs until the
 * file ends. Its checks say whether a page frame may be rebuilt from a basis block.
 */
final class FileBasis {
    private final int fileId;
    private final byte[] digests;
    private final long size;
    private final long newSize;
    private final int blockSize;
    private final int newBlocks;
    private volatile FileStat seen;
    /** Guarded by this; null when none were taken or once given back. */
    private byte[] pages;

    /** @param digests the plan's block digests of the basis, or null when the file has none */
    FileBasis(int fileId, byte[] digests, long size, long newSize, int blockSize) {
        this.fileId = fileId;
        this.digests = digests;
        this.size = size;
        this.newSize = newSize;
        this.blockSize = blockSize;
        this.newBlocks = FileBlocks.blockCount(newSize, blockSize);
    }

    void seen(FileStat s) {
        seen = s;
    }

    /** The basis as the planner saw it before digesting it, or null when not told. */
    FileStat seen() {
        return seen;
    }

    /** Takes {@code p} ({@link BasisPages#reserve}); false (and nothing taken) when pages are held already. */
    synchronized boolean usePages(byte[] p) {
        if (pages != null) {
            return false;
        }
        pages = p;
        return true;
    }

    /** Gives the page digests back to the budget; no REFINE is answered from them after this. */
    synchronized void dropPages() {
        if (pages != null) {
            BasisPages.release(pages);
            pages = null;
        }
    }

    /**
     * The page digests of {@code blocks} as a REFINE answer, from the plan's pass; null when not held, or when a
     * block is not whole in both the basis and the new file (the answer's pages follow the new file's block lengths,
     * the cache's the basis's): such a REFINE is answered by reading.
     */
    synchronized byte[] cachedPages(int[] blocks) {
        if (pages == null) {
            return null;
        }
        for (int b : blocks) {
            long end = (long) (b + 1) * blockSize;
            if (end > size || end > newSize) {
                return null;
            }
        }
        int perBlock = PageDigests.length(blockSize);
        byte[] out = new byte[blocks.length * perBlock];
        for (int k = 0; k < blocks.length; k++) {
            System.arraycopy(pages, blocks[k] * perBlock, out, k * perBlock, perBlock);
        }
        return out;
    }

    /**
     * Checks that block {@code index} may be rebuilt from the basis: the basis has a block of the same length there
     * (so the part file, a copy of the basis, holds it whole).
     */
    void checkBlock(int index) throws DwcpException {
        if (digests == null || index < 0 || index >= newBlocks || (long) index * blockSize >= size
                || FileBlocks.blockLength(size, blockSize, index) != FileBlocks.blockLength(newSize, blockSize, index)) {
            throw DwcpException.protocol("reason=no-basis-block file=" + fileId + " block=" + index);
        }
    }

    /** Checks that a page frame at {@code offset} names the basis block planned there ({@code digest[0, 16)}). */
    void check(long offset, byte[] digest) throws DwcpException {
        int i = (int) (offset / blockSize);
        checkBlock(i);
        if (!BlockDigests.equalAt(digests, i, digest, 0)) {
            throw DwcpException.protocol("frame=data reason=basis-mismatch file=" + fileId + " offset=" + offset);
        }
    }
}
