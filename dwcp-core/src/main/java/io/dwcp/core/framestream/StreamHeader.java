package io.dwcp.core.framestream;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import java.nio.ByteBuffer;

/** Writes and checks the stream header ({@link FrameStreamDescriptor}). */
final class StreamHeader {
    private StreamHeader() {
    }

    /** What a writer announced, once checked against the reader's limits. */
    record Announced(int maxFrame, long cacheBytes) {
    }

    static ByteBuffer encode(FrameStreamConfig config) {
        ByteBuffer h = ByteBuffer.allocate(FrameStreamDescriptor.LENGTH);
        h.putInt(FrameStreamDescriptor.MAGIC).put((byte) FrameStreamDescriptor.VERSION).put((byte) 0).putShort((short) 0)
                .putInt(FrameStreamDescriptor.PAGE_SIZE).putInt(config.maxFrameBytes()).putLong(config.cacheBytes())
                .putLong(0L);
        return h.flip();
    }

    /** Checks a header read into {@code h} (absolute indexes from 0); nothing is sized by it before this. */
    static Announced check(ByteBuffer h, FrameStreamConfig limits) throws DwcpException {
        int magic = h.getInt(FrameStreamDescriptor.MAGIC_OFFSET);
        if (magic != FrameStreamDescriptor.MAGIC) {
            throw DwcpException.protocol("frame=frame-stream reason=bad-magic magic=0x" + Integer.toHexString(magic));
        }
        int version = h.get(FrameStreamDescriptor.VERSION_OFFSET) & 0xff;
        if (version != FrameStreamDescriptor.VERSION) {
            throw DwcpException.protocol("frame=frame-stream reason=unsupported-version version=" + version
                    + " supported=" + FrameStreamDescriptor.VERSION);
        }
        if (h.get(FrameStreamDescriptor.FLAGS_OFFSET) != 0 || h.getShort(FrameStreamDescriptor.RESERVED_OFFSET) != 0
                || h.getLong(FrameStreamDescriptor.RESERVED2_OFFSET) != 0) {
            throw DwcpException.protocol("frame=frame-stream reason=reserved-not-zero");
        }
        int page = h.getInt(FrameStreamDescriptor.PAGE_SIZE_OFFSET);
        if (page != FrameStreamDescriptor.PAGE_SIZE) {
            throw DwcpException.protocol("frame=frame-stream reason=unsupported-page-size page_size=" + page
                    + " supported=" + FrameStreamDescriptor.PAGE_SIZE);
        }
        int max = h.getInt(FrameStreamDescriptor.MAX_FRAME_OFFSET);
        if (max < 1 || max > limits.maxFrameBytes()) {
            throw new DwcpException(ErrorCode.LIMIT, "frame=frame-stream reason=max-frame-over-limit max_frame="
                    + Integer.toUnsignedString(max) + " limit=" + limits.maxFrameBytes());
        }
        long budget = h.getLong(FrameStreamDescriptor.CACHE_BUDGET_OFFSET);
        if (budget < 0 || budget > limits.cacheBytes() || budget % FrameStreamDescriptor.PAGE_SIZE != 0) {
            throw new DwcpException(ErrorCode.LIMIT, "frame=frame-stream reason=cache-budget-over-limit budget="
                    + Long.toUnsignedString(budget) + " limit=" + limits.cacheBytes());
        }
        return new Announced(max, budget);
    }
}
