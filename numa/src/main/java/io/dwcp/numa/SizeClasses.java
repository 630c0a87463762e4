package io.dwcp.numa;

import io.dwcp.core.frame.DataFrameDescriptor;
import java.util.Arrays;

/**
 * The slab sizes of a pool, ascending. The defaults hold one whole DATA frame (prefix, header and the worst
 * case payload of any codec) of a 64 KiB, 256 KiB, 1 MiB, 4 MiB and 16 MiB block, rounded up to 4 KiB so that every
 * slab stays page-aligned: a receiver reads a frame of the transfer's block size into one slab.
 */
public final class SizeClasses {
    private static final long PAGE = 4096;
    private static final long MAX_CLASS = 1L << 30;

    private final long[] sizes;

    private SizeClasses(long[] sizes) {
        this.sizes = sizes;
    }

    /** Slabs for frames of 64 KiB, 256 KiB, 1 MiB, 4 MiB and 16 MiB blocks. */
    public static SizeClasses defaults() {
        return of(frameCapacity(64 * 1024), frameCapacity(256 * 1024), frameCapacity(1 << 20),
                frameCapacity(4 << 20), frameCapacity(16 << 20));
    }

    /** Bytes a whole DATA frame of a {@code blockSize} block can take, rounded up to 4 KiB. */
    public static long frameCapacity(int blockSize) {
        long frame = (long) DataFrameDescriptor.FRAME_HEADER_LENGTH + DataFrameDescriptor.maxPayload(blockSize);
        return Bytes.roundUp(frame, PAGE);
    }

    /**
     * The budget {@code slabs} slabs of {@code bytes} each need at most: each costs its class's size, rounded up to
     * the 2 MiB regions large slabs are carved from (a 16 MiB-block slab takes 18 MiB of budget).
     */
    public long budgetFor(int slabs, long bytes) {
        return slabs * Bytes.roundUp(size(indexFor(bytes)), REGION_GRANULE);
    }

    /** Regions are whole huge pages; 2 MiB on the machines this runs on. */
    private static final long REGION_GRANULE = 2L << 20;

    /**
     * The given sizes, each rounded up to 4 KiB, sorted, duplicates dropped.
     *
     * @throws IllegalArgumentException {@code slab_classes=[...] reason=...}
     */
    public static SizeClasses of(long... sizes) {
        if (sizes.length == 0 || sizes.length > 32) {
            throw new IllegalArgumentException("slab_classes=" + Arrays.toString(sizes) + " reason=need-1-to-32-classes");
        }
        long[] s = new long[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] <= 0 || sizes[i] > MAX_CLASS) {
                throw new IllegalArgumentException("slab_classes=" + Arrays.toString(sizes)
                        + " reason=size-out-of-range max=" + Bytes.format(MAX_CLASS));
            }
            s[i] = Bytes.roundUp(sizes[i], PAGE);
        }
        return new SizeClasses(Arrays.stream(s).sorted().distinct().toArray());
    }

    public int count() {
        return sizes.length;
    }

    /** Slab bytes of class {@code i}. */
    public long size(int i) {
        return sizes[i];
    }

    /** The largest slab. */
    public long largest() {
        return sizes[sizes.length - 1];
    }

    /**
     * The smallest class holding {@code bytes}; a linear scan of a handful of longs, free of allocation.
     *
     * @throws IllegalArgumentException for a request larger than the largest class (a caller's bug: frame
     *                                  lengths are bounded before anything is allocated)
     */
    public int indexFor(long bytes) {
        for (int i = 0; i < sizes.length; i++) {
            if (bytes <= sizes[i]) {
                return i;
            }
        }
        throw new IllegalArgumentException("slab_bytes=" + bytes + " reason=larger-than-largest-class largest="
                + largest());
    }

    /** {@code 68KiB,260KiB,1032KiB,4116KiB,16452KiB}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (long s : sizes) {
            b.append(b.isEmpty() ? "" : ",").append(Bytes.format(s));
        }
        return b.toString();
    }
}
