package io.dwcp.core.framestream;

import io.dwcp.core.codec.CompressMode;

/**
 * Settings of a frame stream. For a {@link FrameStreamWriter} they are what it announces and does: the cache
 * budget both ends keep, the largest frame it will send, and when LZ4 is tried. For a
 * {@link FrameStreamReader} they are limits: the largest budget and frame it accepts from a writer (the
 * reader then runs with the budget the writer announced); {@code compress} is not used.
 *
 * @param cacheBytes    bytes of previous frames each end keeps (a multiple of 4096; 0 sends every frame whole)
 * @param maxFrameBytes largest frame, 1 byte to {@link FrameStreamDescriptor#MAX_FRAME_LIMIT}
 * @param compress      LZ4 on the XOR bytes: AUTO (where it recently paid), LZ4 (whenever smaller), OFF
 */
public record FrameStreamConfig(long cacheBytes, int maxFrameBytes, CompressMode compress) {
    public static final long DEFAULT_CACHE_BYTES = 256L << 20;
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 << 20;

    public FrameStreamConfig {
        if (cacheBytes < 0 || cacheBytes > FrameStreamDescriptor.MAX_CACHE_LIMIT
                || cacheBytes % FrameStreamDescriptor.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("cache_bytes=" + cacheBytes + " reason=bad-budget expected="
                    + "page-multiple-up-to-" + FrameStreamDescriptor.MAX_CACHE_LIMIT);
        }
        if (maxFrameBytes < 1 || maxFrameBytes > FrameStreamDescriptor.MAX_FRAME_LIMIT) {
            throw new IllegalArgumentException("max_frame_bytes=" + maxFrameBytes + " reason=out-of-range max="
                    + FrameStreamDescriptor.MAX_FRAME_LIMIT);
        }
        if (compress == null) {
            throw new IllegalArgumentException("compress=null reason=missing");
        }
    }

    /** 256 MiB of cache, frames up to 16 MiB, LZ4 where it pays. */
    public static FrameStreamConfig defaults() {
        return new FrameStreamConfig(DEFAULT_CACHE_BYTES, DEFAULT_MAX_FRAME_BYTES, CompressMode.AUTO);
    }

    public FrameStreamConfig withCacheBytes(long bytes) {
        return new FrameStreamConfig(bytes, maxFrameBytes, compress);
    }

    public FrameStreamConfig withMaxFrameBytes(int bytes) {
        return new FrameStreamConfig(cacheBytes, bytes, compress);
    }

    public FrameStreamConfig withCompress(CompressMode mode) {
        return new FrameStreamConfig(cacheBytes, maxFrameBytes, mode);
    }
}
