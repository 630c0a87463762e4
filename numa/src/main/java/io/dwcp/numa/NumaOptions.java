package io.dwcp.numa;

/**
 * The data plane's host options, as {@code dwcp serve} takes them: {@code --workers N --pin auto|off|LIST
 * --hugepages auto|off|require --slab-budget SIZE}.
 *
 * @param workers       worker threads; 0 for one per chosen CPU
 * @param pin           which CPUs to pin to
 * @param hugePages     which memory the slab pool takes
 * @param slabBudget    the most bytes the slab pool reserves
 * @param classes       the slab size classes
 * @param queueCapacity jobs each worker's queue holds
 */
public record NumaOptions(int workers, PinPolicy pin, HugePageMode hugePages, long slabBudget, SizeClasses classes,
                          int queueCapacity) {
    /** Enough for 64 frames of 1 MiB blocks in flight, small next to the heap. */
    public static final long DEFAULT_SLAB_BUDGET = 256 * Bytes.MIB;
    public static final int DEFAULT_QUEUE_CAPACITY = 1024;

    /** {@code auto} pinning, {@code auto} huge pages, the default budget and classes. */
    public static NumaOptions defaults() {
        return new NumaOptions(0, PinPolicy.auto(), HugePageMode.AUTO, DEFAULT_SLAB_BUDGET, SizeClasses.defaults(),
                DEFAULT_QUEUE_CAPACITY);
    }

    /**
     * From option text, e.g. {@code parse(0, "auto", "auto", "64MiB")}.
     *
     * @throws IllegalArgumentException naming the bad option ({@code pin="x" ...}, {@code hugepages="x" ...})
     */
    public static NumaOptions parse(int workers, String pin, String hugePages, String slabBudget) {
        if (workers < 0 || workers > 4096) {
            throw new IllegalArgumentException("workers=" + workers + " reason=out-of-range expected=0..4096");
        }
        return new NumaOptions(workers, PinPolicy.parse(pin), HugePageMode.parse(hugePages), Bytes.parse(slabBudget),
                SizeClasses.defaults(), DEFAULT_QUEUE_CAPACITY);
    }
}
