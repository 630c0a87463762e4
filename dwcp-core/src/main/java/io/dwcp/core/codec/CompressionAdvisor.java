package io.dwcp.core.codec;

/**
 * Decides, block by block, whether trying LZ4 is worth the CPU. A block "pays" when LZ4 saves at least
 * {@link #PAYING_RATIO} of its size. After a block that did not pay, the next attempt is deferred by an
 * exponentially growing number of blocks (1, 2, 4 … {@link #MAX_SKIP}), so incompressible data costs almost
 * no compression work while data that turns compressible is noticed within {@code MAX_SKIP} blocks.
 * One instance per sending stream; not thread-safe.
 */
public final class CompressionAdvisor {
    /** Compressed size must be at most this fraction of the raw size. */
    public static final double PAYING_RATIO = 0.9;
    public static final int MAX_SKIP = 64;

    private int skip;
    private int backoff;
    private long attempts;
    private long paid;

    /** True when the next block should be offered to LZ4. */
    public boolean shouldTry() {
        if (skip > 0) {
            skip--;
            return false;
        }
        return true;
    }

    /** Records the outcome of an attempt and returns whether the compressed form should be sent. */
    public boolean record(int rawLength, int compressedLength) {
        attempts++;
        boolean pays = compressedLength <= rawLength * PAYING_RATIO;
        if (pays) {
            paid++;
            backoff = 0;
            skip = 0;
        } else {
            backoff = backoff == 0 ? 1 : Math.min(MAX_SKIP, backoff * 2);
            skip = backoff;
        }
        return pays;
    }

    public long attempts() {
        return attempts;
    }

    public long paid() {
        return paid;
    }
}
