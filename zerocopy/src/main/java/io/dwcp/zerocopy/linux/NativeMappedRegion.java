package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.MappedRegion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A shared {@code mmap} of a file range. The offset is rounded down to a page for the kernel and the segment
 * is sliced back to the exact range; the region's own arena unmaps on close, so a closed region's segment
 * fails on access instead of touching unmapped memory.
 */
final class NativeMappedRegion implements MappedRegion {
    private final Arena arena;
    private final MemorySegment mapping;
    private final MemorySegment segment;

    private NativeMappedRegion(Arena arena, MemorySegment mapping, MemorySegment segment) {
        this.arena = arena;
        this.mapping = mapping;
        this.segment = segment;
    }

    // reinterpret is restricted: it is the one way to give a raw mmap address a size and a lifetime
    @SuppressWarnings("restricted")
    static NativeMappedRegion map(int fd, long position, long length, boolean writable, String label)
            throws NativeIoException {
        long aligned = position & -LinuxMapping.PAGE_SIZE;
        long lead = position - aligned;
        long total = Math.max(1, length + lead);
        int prot = Sys.PROT_READ | (writable ? Sys.PROT_WRITE : 0);
        long addr = LinuxMapping.mmap(total, prot, Sys.MAP_SHARED, fd, aligned);
        if (addr < 0) {
            throw new NativeIoException("mmap", (int) -addr, "fd=" + fd + " " + label + " offset=" + position
                    + " length=" + length);
        }
        Arena arena = Arena.ofShared();
        MemorySegment mapping = MemorySegment.ofAddress(addr).reinterpret(total, arena,
                m -> LinuxMapping.munmap(m.address(), total));
        return new NativeMappedRegion(arena, mapping, mapping.asSlice(lead, length));
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public void advise(Advice advice) {
        int a = switch (advice) {
            case NORMAL -> Sys.MADV_NORMAL;
            case SEQUENTIAL -> Sys.MADV_SEQUENTIAL;
            case RANDOM -> Sys.MADV_RANDOM;
            case WILL_NEED -> Sys.MADV_WILLNEED;
            case DONT_NEED -> Sys.MADV_DONTNEED;
        };
        // a hint: a kernel that refuses it changes nothing we rely on
        LinuxMapping.madvise(mapping.address(), mapping.byteSize(), a);
    }

    /** Idempotent. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
