package io.dwcp.core;

/**
 * Every bound the protocol enforces, in one place. A receiver checks each of these before it allocates or
 * acts; exceeding one is an error naming the limit.
 *
 * @param maxControlBody    largest control-frame body accepted
 * @param maxEntries        most entries (files, dirs, links) in one OFFER batch
 * @param maxPathBytes      longest relative path, UTF-8 bytes
 * @param maxStreams        most data streams per transfer
 * @param maxSessions       most concurrent transfers per server
 * @param idleTimeoutMillis a connection silent this long is closed
 */
public record Limits(int maxControlBody, int maxEntries, int maxPathBytes, int maxStreams, int maxSessions,
                     int idleTimeoutMillis) {

    /** Smallest block size an offer may ask for. */
    public static final int MIN_BLOCK_SIZE = 4 * 1024;
    /** Largest block size an offer may ask for; bounds every data-frame buffer. */
    public static final int MAX_BLOCK_SIZE = 16 * 1024 * 1024;
    /** Default block size: large enough to amortise per-frame work, small enough for fine-grained deltas. */
    public static final int DEFAULT_BLOCK_SIZE = 1024 * 1024;
    public static final int MAX_NAME_BYTES = 255;
    /**
     * Entries in one OFFER batch. The file list is streamed in batches, so this bounds one control frame and the
     * work of one PLAN, not the size of a tree.
     */
    public static final int MAX_ENTRIES = 16_384;
    /**
     * Entries in flight: a sender may offer entry {@code id} only once every entry below {@code id - WINDOW_ENTRIES}
     * is finished at the receiver. It bounds what either end holds for a transfer of any size (about 1 KB of heap
     * per file in flight at the receiver) and lets both keep in-flight entries in a ring indexed by id. A power
     * of two, at least {@link #MAX_ENTRIES}.
     */
    public static final int WINDOW_ENTRIES = 65_536;
    /** Longest extended attribute name, in bytes: Linux's {@code XATTR_NAME_MAX}. */
    public static final int MAX_XATTR_NAME_BYTES = 255;
    /** Largest extended attribute value: Linux's {@code XATTR_SIZE_MAX}. */
    public static final int MAX_XATTR_VALUE_BYTES = 65_536;
    /**
     * The names of one entry's attributes, each with its terminating NUL, in bytes: Linux's {@code XATTR_LIST_MAX},
     * the most {@code listxattr} can return. It also bounds how many attributes an entry has.
     */
    public static final int MAX_XATTR_LIST_BYTES = 65_536;
    /**
     * Names and values of one entry's attributes together, in bytes: 16 values of the largest size. ext4 keeps an
     * inode's attributes in one 4 KiB block; file systems that allow more are rarely used for more.
     */
    public static final int MAX_ENTRY_XATTR_BYTES = 1 << 20;
    /**
     * Names and values of the attributes of one OFFER batch, in bytes: a quarter of a control frame, so that a
     * batch of 16,384 entries with attributes is still a bounded frame and a receiver holds at most a few batches'
     * worth while their files are in flight. The sender ends a batch early to stay below it.
     */
    public static final int MAX_BATCH_XATTR_BYTES = 16 << 20;
    /** Longest user or group name in an OFFER's owner table: Linux's {@code LOGIN_NAME_MAX} less the NUL. */
    public static final int MAX_OWNER_NAME_BYTES = 255;

    public static Limits defaults() {
        return new Limits(64 * 1024 * 1024, MAX_ENTRIES, 4096, 64, 64, 120_000);
    }

    public Limits withIdleTimeoutMillis(int millis) {
        return new Limits(maxControlBody, maxEntries, maxPathBytes, maxStreams, maxSessions, millis);
    }

    public Limits withMaxSessions(int sessions) {
        return new Limits(maxControlBody, maxEntries, maxPathBytes, maxStreams, sessions, idleTimeoutMillis);
    }

    public Limits withMaxControlBody(int bytes) {
        return new Limits(bytes, maxEntries, maxPathBytes, maxStreams, maxSessions, idleTimeoutMillis);
    }

    public Limits withMaxEntries(int entries) {
        return new Limits(maxControlBody, entries, maxPathBytes, maxStreams, maxSessions, idleTimeoutMillis);
    }
}
