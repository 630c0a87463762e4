package io.dwcp.core.framestream;

/**
 * Layout of the stream header a {@link FrameStreamWriter} sends once, before its first frame: it tells the
 * reader the page size and the cache budget, so that both ends run the same cache policy, and the largest
 * frame that will follow, so that the reader can refuse a stream it is not willing to hold.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   magic 0x44574653 ("DWFS")                   |  +0
 *  +---------------+---------------+-------------------------------+
 *  |    version    |     flags     |           reserved            |  +4
 *  +---------------+---------------+-------------------------------+
 *  |                       page size (4096)                        |  +8
 *  +---------------------------------------------------------------+
 *  |                  largest frame length (bytes)                 |  +12
 *  +---------------------------------------------------------------+
 *  |              cache budget (bytes, 64 bit, page multiple)      |  +16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        reserved (64 bit)                      |  +24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * All integers are big-endian. The reader checks, before it allocates anything: the magic, the version,
 * flags and reserved fields zero, the page size equal to {@link #PAGE_SIZE}, the largest frame within its
 * own limit and the budget a page multiple within its own limit. Frames ({@link FrameDeltaDescriptor}) follow
 * until an END frame.
 */
public final class FrameStreamDescriptor {
    public static final int LENGTH = 32;
    public static final int MAGIC = 0x44575346;
    public static final int VERSION = 1;
    /** Pages of the delta codec: the unit of the page map and of the cache's accounting. */
    public static final int PAGE_SIZE = 4096;
    /** No stream carries frames larger than this (LZ4 and the channel buffers work in {@code int}). */
    public static final int MAX_FRAME_LIMIT = 1 << 30;
    /** No stream asks for a larger cache than this; a reader's own limit is usually far lower. */
    public static final long MAX_CACHE_LIMIT = 1L << 40;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int FLAGS_OFFSET = 5;
    public static final int RESERVED_OFFSET = 6;
    public static final int PAGE_SIZE_OFFSET = 8;
    public static final int MAX_FRAME_OFFSET = 12;
    public static final int CACHE_BUDGET_OFFSET = 16;
    public static final int RESERVED2_OFFSET = 24;

    private FrameStreamDescriptor() {
    }
}
