package io.dwcp.bench.e2e;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * File contents for the generated tree, cheap enough that a 1 GiB tree is written in seconds: binary files are an
 * xorshift64* stream (incompressible), text files are slices of one fixed 64 KiB block of words and lines
 * (compressible about 3-4x, as source and logs are). Both depend only on the file's content seed.
 */
final class TreeContent {
    private static final String[] WORDS = {"return", "static", "final", "int", "long", "if", "else", "for", "while",
        "value", "buffer", "size", "index", "count", "error", "result", "path", "name", "data", "offset", "length", "the",
        "of", "a", "to", "in", "is", "not", "null", "true", "false", "void", "public", "private", "class", "import",
        "package", "new", "this", "throw", "catch", "try", "=", "==", "+", "-", "*", "{", "}", "(", ")", ";", "//", "0",
        "1", "42", "0x7f", "request", "response", "timestamp", "level", "INFO", "WARN", "DEBUG", "user", "id", "file",
        "block", "stream", "session", "server", "client", "time", "ms", "bytes", "read", "write", "open", "close"};
    static final byte[] TEXT = textBlock();

    private TreeContent() {}

    private static byte[] textBlock() {
        SplittableRandom r = new SplittableRandom(0x7e47L);
        StringBuilder sb = new StringBuilder(70_000);
        while (sb.length() < 65_536) {
            sb.append("    ".repeat(r.nextInt(4)));
            int words = 3 + r.nextInt(12);
            for (int i = 0; i < words; i++) {
                sb.append(WORDS[r.nextInt(WORDS.length)]).append(i + 1 < words ? " " : "\n");
            }
        }
        return sb.substring(0, 65_536).getBytes(StandardCharsets.US_ASCII);
    }

    /** Fills buf with n bytes of the content for seed and flips it for reading. */
    static void fill(ByteBuffer buf, int n, long seed, boolean text) {
        buf.clear();
        long x = seed * 0x9E3779B97F4A7C15L | 1; // xorshift must not start at 0
        if (text) {
            while (buf.position() < n) {
                x = next(x);
                int len = Math.min(n - buf.position(), 256 + (int) ((x >>> 33) % 3840));
                int off = (int) ((x & 0xffff_ffffL) % (TEXT.length - len + 1));
                buf.put(TEXT, off, len);
            }
        } else {
            while (buf.position() + 8 <= n) {
                x = next(x);
                buf.putLong(x * 0x2545F4914F6CDD1DL);
            }
            x = next(x);
            while (buf.position() < n) {
                buf.put((byte) x);
                x >>>= 8;
            }
        }
        buf.flip();
    }

    private static long next(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        return x ^ (x << 17);
    }
}
