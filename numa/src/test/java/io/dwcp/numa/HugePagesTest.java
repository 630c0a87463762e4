package io.dwcp.numa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.numa.linux.LinuxMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Huge pages as the kernel accounts them. Sets {@code vm.nr_hugepages} (root only) to what each test needs
 * and restores the old value afterwards.
 */
class HugePagesTest {
    private static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");
    private static final long MIB = Bytes.MIB;
    private final Topology topology = Topology.detect();
    private String saved;

    @BeforeEach
    void save() throws IOException {
        assumeTrue(LinuxMemory.mmapAvailable(), "no mmap: huge pages do not apply");
        assumeTrue(Files.isWritable(NR_HUGEPAGES) && "root".equals(System.getProperty("user.name")),
                "needs root to set vm.nr_hugepages");
        saved = Files.readString(NR_HUGEPAGES).strip();
    }

    @AfterEach
    void restore() throws IOException {
        if (saved != null) {
            Files.writeString(NR_HUGEPAGES, saved);
        }
    }

    /** Sets the reserve to {@code pages} free pages more than in use; returns false when the kernel gave fewer. */
    private static boolean reserveFree(long pages) throws IOException {
        MemInfo now = MemInfo.read();
        long inUse = now.hugePagesTotal() - now.hugePagesFree();
        Files.writeString(NR_HUGEPAGES, Long.toString(inUse + pages));
        return MemInfo.read().hugePagesFree() >= pages;
    }

    @Test
    void thePoolTakesReservedPagesAndGivesThemBackOnClose() throws IOException {
        long pageSize = MemInfo.read().hugePageSize();
        long budget = 16 * MIB;
        assumeTrue(reserveFree(budget / pageSize), "the kernel refused to reserve " + budget / pageSize + " pages");
        long freeBefore = MemInfo.read().hugePagesFree();
        SlabPool pool = new SlabPool(budget, SizeClasses.defaults(),
                HugePages.create(HugePageMode.AUTO, topology.nodeCount()), topology);
        try {
            assertEquals(PageKind.HUGETLB, HugePages.create(HugePageMode.AUTO, 1).preferredKind());
            List<Slab> held = new ArrayList<>();
            Slab s;
            while ((s = pool.tryAcquire(MIB)) != null) {
                assertEquals(PageKind.HUGETLB, s.pageKind());
                held.add(s);
            }
            SlabPoolStats st = pool.stats();
            assertEquals(budget, st.reserved(PageKind.HUGETLB), st.toString());
            assertEquals(budget, st.hugeBacked(), st.toString());
            assertEquals(budget / pageSize, freeBefore - MemInfo.read().hugePagesFree(),
                    "HugePages_Free dropped by what the pool took");
            held.forEach(Slab::release);
        } finally {
            pool.close();
        }
        assertEquals(freeBefore, MemInfo.read().hugePagesFree(), "close gave the pages back");
    }

    @Test
    void requireWithoutReservedPagesNamesTheFix() throws IOException {
        Files.writeString(NR_HUGEPAGES, "0");
        assumeTrue(MemInfo.read().hugePagesTotal() == 0, "huge pages still in use elsewhere");
        HugePages pages = HugePages.create(HugePageMode.REQUIRE, topology.nodeCount());
        long need = 64 * MIB / pages.hugePageSize();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new SlabPool(64 * MIB, SizeClasses.defaults(), pages, topology));
        assertEquals("hugepages=require reason=no-huge-pages requested=64MiB hugepagesize=2MiB free_pages=0"
                + " fix=\"sysctl -w vm.nr_hugepages=" + need + "\"", e.getMessage());
        IOException io = assertThrows(IOException.class, () -> pages.allocate(8 * MIB, 0));
        assertTrue(io.getMessage().contains("fix=\"sysctl -w vm.nr_hugepages=4\""), io.getMessage());
    }

    @Test
    void requireWithPagesReservedWorks() throws IOException {
        assumeTrue(reserveFree(4), "the kernel refused to reserve 4 pages");
        HugePages pages = HugePages.create(HugePageMode.REQUIRE, topology.nodeCount());
        try (SlabPool pool = new SlabPool(8 * MIB, SizeClasses.defaults(), pages, topology)) {
            Slab s = pool.tryAcquire(MIB);
            assertNotNull(s);
            assertEquals(PageKind.HUGETLB, s.pageKind());
            s.release();
        }
    }

    @Test
    void withoutReservedPagesAutoTakesTransparentHugePages() throws IOException {
        Files.writeString(NR_HUGEPAGES, "0");
        String thp = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        assumeTrue(thp.contains("[madvise]") || thp.contains("[always]"), "THP is off: " + thp.strip());
        long anonBefore = MemInfo.read().anonHugePages();
        try (SlabPool pool = new SlabPool(16 * MIB, SizeClasses.defaults(),
                HugePages.create(HugePageMode.AUTO, topology.nodeCount()), topology)) {
            Slab s = pool.tryAcquire(MIB);
            assertEquals(PageKind.THP, s.pageKind());
            long gained = MemInfo.read().anonHugePages() - anonBefore;
            // The region (8 MiB) was faulted in at carve time; the kernel may fall back to small pages for
            // part of it under fragmentation, but none at all would mean the advice was lost.
            assertTrue(gained >= 2 * MIB, "AnonHugePages grew by " + gained + " bytes; " + MemInfo.read());
            assertTrue(pool.stats().hugeBacked() >= 2 * MIB, "the pool reports it: " + pool.stats());
            s.release();
        }
    }
}
