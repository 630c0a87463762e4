package io.dwcp.core.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** Deterministic test blocks and buffer placements shared by the codec tests. */
final class TestData {
    private TestData() {
    }

    enum Kind {
        /** Seeded random bytes: incompressible for LZ4. */
        RANDOM,
        /** A repeated line of text with a counter: compresses several-fold. */
        TEXT,
        /** All zero: a hole, sent as the ZERO codec whatever the mode. */
        ZEROS,
        /** Zeros with a 1 every 512 bytes, starting at byte 0: compresses to ~1 % but is never all zero. */
        SPARSE;

        boolean compressible() {
            return this != RANDOM;
        }
    }

    /** Where a block lives; every kind is also exercised at a non-zero position with bytes after the limit. */
    enum Placement {
        HEAP,
        DIRECT,
        /** Heap buffer sliced out of a larger array: non-zero arrayOffset. */
        HEAP_SLICE,
        /** Direct buffer whose block starts at position 7 with junk before and after. */
        DIRECT_OFFSET,
        /** Read-only heap buffer: hasArray() is false, so code must not take the array path. */
        HEAP_READ_ONLY,
        /** Read-only direct buffer, as a file mapped READ_ONLY gives the sender. */
        DIRECT_READ_ONLY
    }

    static byte[] bytes(Kind kind, int size, long seed) {
        byte[] b = new byte[size];
        switch (kind) {
            case RANDOM -> new SplittableRandom(seed).nextBytes(b);
            case TEXT -> {
                int at = 0;
                int line = 0;
                while (at < size) {
                    byte[] l = ("The quick brown fox jumps over the lazy dog; line " + (line++ % 1000) + "\n")
                            .getBytes(StandardCharsets.US_ASCII);
                    int n = Math.min(l.length, size - at);
                    System.arraycopy(l, 0, b, at, n);
                    at += n;
                }
            }
            case ZEROS -> { }
            case SPARSE -> {
                for (int i = 0; i < size; i += 512) {
                    b[i] = 1;
                }
            }
        }
        return b;
    }

    /** A buffer whose position..limit holds exactly {@code data}. */
    static ByteBuffer place(byte[] data, Placement placement) {
        return switch (placement) {
            case HEAP -> ByteBuffer.wrap(data.clone());
            case DIRECT -> ByteBuffer.allocateDirect(data.length).put(data).flip();
            case HEAP_SLICE -> {
                byte[] big = new byte[data.length + 24];
                java.util.Arrays.fill(big, (byte) 0x5a);
                System.arraycopy(data, 0, big, 11, data.length);
                ByteBuffer s = ByteBuffer.wrap(big, 11, data.length).slice();
                assert s.arrayOffset() == 11;
                yield s;
            }
            case DIRECT_OFFSET -> {
                ByteBuffer d = ByteBuffer.allocateDirect(data.length + 20);
                for (int i = 0; i < d.capacity(); i++) {
                    d.put(i, (byte) 0xa5);
                }
                d.put(7, data);
                yield d.position(7).limit(7 + data.length);
            }
            case HEAP_READ_ONLY -> ByteBuffer.wrap(data.clone()).asReadOnlyBuffer();
            case DIRECT_READ_ONLY -> ByteBuffer.allocateDirect(data.length).put(data).flip().asReadOnlyBuffer();
        };
    }

    static byte[] remaining(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
