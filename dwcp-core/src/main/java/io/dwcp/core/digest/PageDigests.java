package io.dwcp.core.digest;

import io.dwcp.core.frame.PageMapDescriptor;
import java.lang.foreign.MemorySegment;

/**
 * Digests of a block's 4 KiB pages, 8 bytes each (the first half of the page's XXH3-128), for refining a changed
 * block to the pages that differ. A collision only makes a page look unchanged: the rebuilt block then fails its
 * CRC at the receiver and the block is sent again whole, so 64 bits are plenty.
 */
public final class PageDigests {
    public static final int DIGEST_LENGTH = 8;

    private PageDigests() {
    }

    /** Bytes of the page digests of a block of {@code length} bytes. */
    public static int length(int blockLength) {
        return PageMapDescriptor.pages(blockLength) * DIGEST_LENGTH;
    }

    /**
     * Writes the digest of each page of {@code segment[offset, offset + length)} to {@code out}, starting at
     * {@code at}; {@code scratch} is 16 bytes the caller owns.
     */
    public static void digest(MemorySegment segment, long offset, int length, byte[] out, int at, byte[] scratch) {
        int pages = PageMapDescriptor.pages(length);
        for (int p = 0; p < pages; p++) {
            Xxh3.hash128(segment, offset + (long) p * PageMapDescriptor.PAGE, PageMapDescriptor.pageLength(length, p),
                    scratch, 0);
            System.arraycopy(scratch, 0, out, at + p * DIGEST_LENGTH, DIGEST_LENGTH);
        }
    }

    /** True when page {@code p}'s digest in {@code a} (from {@code aAt}) equals the one in {@code b} (from {@code bAt}). */
    public static boolean equal(byte[] a, int aAt, byte[] b, int bAt, int p) {
        int i = aAt + p * DIGEST_LENGTH;
        int j = bAt + p * DIGEST_LENGTH;
        return java.util.Arrays.equals(a, i, i + DIGEST_LENGTH, b, j, j + DIGEST_LENGTH);
    }
}
