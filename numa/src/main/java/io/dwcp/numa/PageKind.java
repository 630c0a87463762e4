package io.dwcp.numa;

import java.util.Locale;

/** What backs a region of slab memory. */
public enum PageKind {
    /** Reserved persistent huge pages ({@code MAP_HUGETLB}): no TLB misses to speak of, never swapped. */
    HUGETLB,
    /** An anonymous mapping advised {@code MADV_HUGEPAGE}: huge pages when the kernel can find them. */
    THP,
    /** An anonymous mapping of ordinary 4 KiB pages. */
    PLAIN,
    /** No {@code mmap} on this platform: {@code Arena.ofShared().allocate}, page-aligned. */
    ARENA;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
