package io.dwcp.zerocopy.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The native structures of one confined call (a name or path, a {@code statx} buffer, an {@code open_how}, a link
 * target, a {@code getdents64} buffer), taken from a small shared pool and given back, so a tree of files costs no
 * native allocation per file. Pooled ones are made once in the global arena (at most {@link #POOLED}: bounded,
 * never freed, never left to the collector); a call past the bound uses a confined arena it closes. Buffers a call
 * kind needs only sometimes are made on its first use.
 */
final class CallScratch {
    static final int MAX_NAME = 255;
    static final int LINK_BUFFER = 4096;
    /** Linux's {@code PATH_MAX}, the NUL included. */
    static final int PATH_BUFFER = 4096;
    /** Call structures kept for reuse: more threads than this at once each make their own for the call. */
    private static final int POOLED = 16;

    private static final java.util.ArrayDeque<CallScratch> FREE = new java.util.ArrayDeque<>();
    private static int made;

    private final Arena arena;
    /** Made for the pool (global arena) rather than for one call. */
    private final boolean pooled;
    final MemorySegment statx;
    /** {@link #statx} decoded into these ({@link StatxLayout#read(MemorySegment, long[])}). */
    final long[] statxWords = new long[StatxLayout.WORDS];
    final MemorySegment name;
    final MemorySegment link;
    /** Attribute read buffers, made on the first name with attributes and reused (reads allocate nothing). */
    final NativeXattrs.Scratch xattrs;
    private MemorySegment dents;
    private MemorySegment path;
    private MemorySegment how;
    private MemorySegment times;

    private CallScratch(Arena arena, boolean pooled) {
        this.arena = arena;
        this.pooled = pooled;
        this.statx = arena.allocate(StatxLayout.SIZE, 8);
        this.name = arena.allocate(MAX_NAME + 1);
        this.link = arena.allocate(LINK_BUFFER);
        this.xattrs = new NativeXattrs.Scratch(arena);
    }

    static CallScratch take() {
        synchronized (FREE) {
            CallScratch s = FREE.pollFirst();
            if (s != null) {
                return s;
            }
            if (made < POOLED) {
                made++;
                return new CallScratch(Arena.global(), true);
            }
        }
        return new CallScratch(Arena.ofConfined(), false);
    }

    /** The getdents64 buffer. */
    MemorySegment dents() {
        return dents == null ? dents = arena.allocate(DirectoryReader.BUFFER_BYTES, 8) : dents;
    }

    /** {@code struct open_how} (flags, mode, resolve: three u64). */
    MemorySegment how() {
        return how == null ? how = arena.allocate(24, 8) : how;
    }

    /**
     * {@code p} as a NUL-terminated C string in this scratch's path buffer, or null when it does not fit
     * ({@code ENAMETOOLONG}); its length without the NUL is then {@link #pathLength}.
     */
    MemorySegment path(String p) {
        if (path == null) {
            path = arena.allocate(PATH_BUFFER);
        }
        int n = cString(path, p, 0);
        if (n < 0) {
            return null;
        }
        pathLength = n;
        return path;
    }

    /** The byte length of the last {@link #path}. */
    int pathLength;

    /** {@code struct timespec[2]} for utimensat. */
    MemorySegment times() {
        return times == null ? times = arena.allocate(32, 8) : times;
    }

    /**
     * Writes {@code s} from char {@code from} into {@code into} as a NUL-terminated C string and returns its length
     * in bytes, or -1 when it does not fit. ASCII is copied as it is, anything else encoded as UTF-8.
     */
    static int cString(MemorySegment into, String s, int from) {
        int n = s.length() - from;
        long room = into.byteSize();
        if (n >= room) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(from + i);
            if (c >= 0x80) {
                byte[] b = s.substring(from).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (b.length >= room) {
                    return -1;
                }
                MemorySegment.copy(b, 0, into, ValueLayout.JAVA_BYTE, 0, b.length);
                into.set(ValueLayout.JAVA_BYTE, b.length, (byte) 0);
                return b.length;
            }
            into.set(ValueLayout.JAVA_BYTE, i, (byte) c);
        }
        into.set(ValueLayout.JAVA_BYTE, n, (byte) 0);
        return n;
    }

    void give() {
        if (!pooled) {
            arena.close();
            return;
        }
        synchronized (FREE) {
            FREE.addFirst(this);
        }
    }
}
