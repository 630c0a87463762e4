package io.dwcp.wireguard.noise;

/**
 * Anti-replay sliding window (RFC 6479), the same filter as the Linux kernel and wireguard-go's {@code replay}
 * package: a ring of 128 64-bit blocks accepting counters up to 8128 (127 blocks) behind the highest seen.
 * <p>
 * Not thread-safe, by choice: it must be called by the single thread that owns the peer's in-order receive path
 * (the counter is only validated after the packet authenticated, in receive order), so a lock would only cost.
 * Allocation-free.
 */
public final class ReplayWindow {

    private static final int BLOCK_BIT_LOG = 6;
    private static final int BLOCK_BITS = 1 << BLOCK_BIT_LOG;
    private static final int RING_BLOCKS = 1 << 7;
    /** Counters this far behind the highest seen are still accepted once. */
    public static final long WINDOW_SIZE = (RING_BLOCKS - 1) * BLOCK_BITS;
    private static final int BLOCK_MASK = RING_BLOCKS - 1;
    private static final int BIT_MASK = BLOCK_BITS - 1;

    private final long[] ring = new long[RING_BLOCKS];
    private long last;

    /** Forgets everything seen. */
    public void reset() {
        last = 0;
        // only the block of counter 0 can hold stale bits: advancing clears every block it moves into
        ring[0] = 0;
    }

    /**
     * True if {@code counter} (unsigned) is below {@code limit} (unsigned), not too old and not seen before; it is
     * then recorded as seen.
     */
    public boolean validateCounter(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0) {
            return false;
        }
        long indexBlock = counter >>> BLOCK_BIT_LOG;
        if (Long.compareUnsigned(counter, last) > 0) {
            long current = last >>> BLOCK_BIT_LOG;
            long diff = indexBlock - current;
            if (Long.compareUnsigned(diff, RING_BLOCKS) > 0) {
                diff = RING_BLOCKS;
            }
            for (long i = current + 1; i != current + 1 + diff; i++) {
                ring[(int) (i & BLOCK_MASK)] = 0;
            }
            last = counter;
        } else if (Long.compareUnsigned(last - counter, WINDOW_SIZE) > 0) {
            return false;
        }
        int block = (int) (indexBlock & BLOCK_MASK);
        long bit = 1L << (counter & BIT_MASK);
        long old = ring[block];
        ring[block] = old | bit;
        return (old & bit) == 0;
    }
}
