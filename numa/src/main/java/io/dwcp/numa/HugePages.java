package io.dwcp.numa;

import io.dwcp.core.linux.NativeIoException;
import io.dwcp.numa.linux.LinuxMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Allocates page-aligned regions of the best memory this host offers under a {@link HugePageMode}: reserved
 * huge pages ({@code MAP_HUGETLB}) while enough are free, else an anonymous mapping advised
 * {@code MADV_HUGEPAGE}, else plain pages; without {@code mmap}, {@code Arena.ofShared().allocate}. The path
 * is chosen at start-up and {@link #describe()} reports it; what each region really got is its
 * {@link Region#kind()}, and {@link MemInfo} shows what the kernel handed out. Regions are faulted in at
 * allocation, so the data plane takes no page faults later, and placed on their node when there are several.
 */
public final class HugePages {
    private static final long SMALL_PAGE = 4096;
    private static final long DEFAULT_HUGE_PAGE = 2 * Bytes.MIB;
    private static final Path THP_ENABLED = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    private final HugePageMode mode;
    private final int nodes;
    private final boolean mmap;
    private final String thp;
    private final long hugePageSize;

    private HugePages(HugePageMode mode, int nodes, boolean mmap, String thp, long hugePageSize) {
        this.mode = mode;
        this.nodes = nodes;
        this.mmap = mmap;
        this.thp = thp;
        this.hugePageSize = hugePageSize;
    }

    /** The allocator for this host; {@code nodeCount} above one makes it {@code mbind} each region. */
    public static HugePages create(HugePageMode mode, int nodeCount) {
        long size = MemInfo.read().hugePageSize();
        return new HugePages(mode, nodeCount, LinuxMemory.mmapAvailable(), thpSetting(),
                size > 0 ? size : DEFAULT_HUGE_PAGE);
    }

    /** The bracketed word of the THP {@code enabled} file ({@code always|madvise|never}), or {@code absent}. */
    private static String thpSetting() {
        try {
            String s = Files.readString(THP_ENABLED);
            int open = s.indexOf('[');
            int close = s.indexOf(']', open + 1);
            return open >= 0 && close > open ? s.substring(open + 1, close) : "absent";
        } catch (IOException | SecurityException e) {
            return "absent";
        }
    }

    public HugePageMode mode() {
        return mode;
    }

    /** The huge-page size regions are rounded and aligned to. */
    public long hugePageSize() {
        return hugePageSize;
    }

    /** The kind the next allocation will try first, given what is free now. */
    public PageKind preferredKind() {
        if (!mmap) {
            return PageKind.ARENA;
        }
        if (mode == HugePageMode.REQUIRE || mode == HugePageMode.AUTO && MemInfo.read().hugeFreeBytes() > 0) {
            return PageKind.HUGETLB;
        }
        return mode == HugePageMode.AUTO && thpUsable() ? PageKind.THP : PageKind.PLAIN;
    }

    private boolean thpUsable() {
        return thp.equals("always") || thp.equals("madvise");
    }

    /**
     * For {@code require}: fails unless {@code bytes} of reserved huge pages are free now.
     *
     * @throws IllegalStateException {@code hugepages=require reason=no-huge-pages ... fix="sysctl -w vm.nr_hugepages=N"}
     */
    public void checkRequired(long bytes) {
        if (mode != HugePageMode.REQUIRE) {
            return;
        }
        if (!mmap) {
            throw new IllegalStateException("hugepages=require reason=no-mmap detail=\"not Linux, or no mmap in libc\"");
        }
        MemInfo now = MemInfo.read();
        if (now.hugeFreeBytes() < Bytes.roundUp(bytes, hugePageSize)) {
            throw new IllegalStateException(requireMessage(bytes, now));
        }
    }

    /** The failure text for {@code require}, with the {@code nr_hugepages} that leaves {@code bytes} free. */
    String requireMessage(long bytes, MemInfo now) {
        long need = Bytes.roundUp(bytes, hugePageSize) / hugePageSize;
        long inUse = Math.max(0, now.hugePagesTotal()) - Math.max(0, now.hugePagesFree());
        return "hugepages=require reason=no-huge-pages requested=" + Bytes.format(bytes) + " hugepagesize="
                + Bytes.format(hugePageSize) + " free_pages=" + Math.max(0, now.hugePagesFree())
                + " fix=\"sysctl -w vm.nr_hugepages=" + (inUse + need) + "\"";
    }

    /**
     * A region of at least {@code bytes} (rounded up to the huge-page size) for {@code node}, faulted in.
     *
     * @throws IOException when no memory of an acceptable kind could be had (for {@code require}, with the fix)
     */
    public Region allocate(long bytes, int node) throws IOException {
        long size = Bytes.roundUp(bytes, hugePageSize);
        if (!mmap) {
            if (mode == HugePageMode.REQUIRE) {
                throw new IOException("hugepages=require reason=no-mmap");
            }
            Arena arena = Arena.ofShared();
            return new Region(arena, arena.allocate(size, SMALL_PAGE), PageKind.ARENA, node, false, 0);
        }
        if (mode == HugePageMode.REQUIRE || mode == HugePageMode.AUTO && MemInfo.read().hugeFreeBytes() >= size) {
            try {
                return map(size, node, PageKind.HUGETLB);
            } catch (NativeIoException e) {
                // Someone took the free pages between the check and the mmap: fall back, unless required.
                if (mode == HugePageMode.REQUIRE) {
                    throw new IOException(requireMessage(size, MemInfo.read()) + " " + e.getMessage(), e);
                }
            }
        }
        return map(size, node, mode == HugePageMode.AUTO && thpUsable() ? PageKind.THP : PageKind.PLAIN);
    }

    private Region map(long size, int node, PageKind want) throws NativeIoException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = LinuxMemory.map(size, want == PageKind.PLAIN ? SMALL_PAGE : hugePageSize,
                    want == PageKind.HUGETLB, arena);
            PageKind got = want;
            if (want == PageKind.THP && LinuxMemory.madvise(seg, LinuxMemory.MADV_HUGEPAGE) != 0) {
                got = PageKind.PLAIN;
            }
            // Placement is decided at the first fault: bind before populating.
            boolean bound = nodes > 1 && LinuxMemory.mbind(seg, LinuxMemory.MPOL_PREFERRED, node) == 0;
            long thpBefore = got == PageKind.THP ? MemInfo.read().anonHugePages() : 0;
            populate(seg, got == PageKind.HUGETLB ? hugePageSize : SMALL_PAGE);
            long huge = switch (got) {
                case HUGETLB -> size;
                case THP -> Math.clamp(MemInfo.read().anonHugePages() - thpBefore, 0, size);
                default -> 0;
            };
            return new Region(arena, seg, got, node, bound, huge);
        } catch (NativeIoException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Faults every page in now, so that no data-plane thread takes the faults later. */
    private static void populate(MemorySegment seg, long page) {
        if (LinuxMemory.madvise(seg, LinuxMemory.MADV_POPULATE_WRITE) == 0) {
            return;
        }
        for (long off = 0; off < seg.byteSize(); off += page) {
            seg.set(ValueLayout.JAVA_BYTE, off, (byte) 0);
        }
    }

    /** {@code mode=auto path=thp thp_enabled=madvise hugetlb_total=0 hugetlb_free=0 hugepagesize=2MiB thp_anon=0B}. */
    public String describe() {
        return "mode=" + mode + " path=" + preferredKind() + " thp_enabled=" + thp + " " + MemInfo.read();
    }
}
