package io.dwcp.wireguard.crypto;

import java.util.Arrays;

/**
 * BLAKE2s (RFC 7693), keyed or unkeyed, 1..32 byte output. An instance is an incremental hasher that allocates
 * nothing after construction; it is not thread-safe.
 */
public final class Blake2s {

    /** Largest digest and key length in bytes. */
    public static final int MAX_LENGTH = 32;
    /** Block length in bytes (also HMAC's block length). */
    public static final int BLOCK_LENGTH = 64;

    private static final int[] IV = {
        0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19
    };

    private static final byte[][] SIGMA = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
        {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
        {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
        {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
        {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
        {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
        {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
        {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
        {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
        {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    };

    private final int outLength;
    private final byte[] keyBlock;
    private final int keyLength;
    private final int[] h = new int[8];
    private final int[] v = new int[16];
    private final int[] m = new int[16];
    private final byte[] buffer = new byte[BLOCK_LENGTH];
    private int buffered;
    private long total;

    /** Unkeyed hasher with the given digest length (1..32). */
    public Blake2s(int outLength) {
        this(outLength, null);
    }

    /** Keyed hasher (key 0..32 bytes, null for none) with the given digest length (1..32). */
    public Blake2s(int outLength, byte[] key) {
        if (outLength < 1 || outLength > MAX_LENGTH) {
            throw new IllegalArgumentException("outlen=" + outLength + " expected 1..32");
        }
        int kl = key == null ? 0 : key.length;
        if (kl > MAX_LENGTH) {
            throw new IllegalArgumentException("keylen=" + kl + " expected 0..32");
        }
        this.outLength = outLength;
        this.keyLength = kl;
        this.keyBlock = new byte[BLOCK_LENGTH];
        if (kl > 0) {
            System.arraycopy(key, 0, keyBlock, 0, kl);
        }
        reset();
    }

    /** Digest length in bytes. */
    public int length() {
        return outLength;
    }

    /** Restarts the hash, keeping the key and digest length. */
    public void reset() {
        System.arraycopy(IV, 0, h, 0, 8);
        h[0] ^= 0x01010000 ^ (keyLength << 8) ^ outLength;
        total = 0;
        buffered = 0;
        if (keyLength > 0) {
            // the padded key is the first block; it is only compressed once more data or final arrives
            System.arraycopy(keyBlock, 0, buffer, 0, BLOCK_LENGTH);
            buffered = BLOCK_LENGTH;
        }
    }

    /** Absorbs {@code len} bytes of {@code in} from {@code off}. */
    public Blake2s update(byte[] in, int off, int len) {
        while (len > 0) {
            if (buffered == BLOCK_LENGTH) {
                // the last block must go through final with the final flag, so compress a full block only
                // once we know more input follows
                total += BLOCK_LENGTH;
                compress(buffer, 0, false);
                buffered = 0;
            }
            int n = Math.min(BLOCK_LENGTH - buffered, len);
            System.arraycopy(in, off, buffer, buffered, n);
            buffered += n;
            off += n;
            len -= n;
        }
        return this;
    }

    /** Absorbs all of {@code in}. */
    public Blake2s update(byte[] in) {
        return update(in, 0, in.length);
    }

    /** Writes the digest ({@link #length()} bytes) at {@code out[off]} and resets for reuse. */
    public void digest(byte[] out, int off) {
        total += buffered;
        Arrays.fill(buffer, buffered, BLOCK_LENGTH, (byte) 0);
        compress(buffer, 0, true);
        for (int i = 0; i < outLength; i++) {
            out[off + i] = (byte) (h[i >>> 2] >>> (8 * (i & 3)));
        }
        reset();
    }

    /** Returns a fresh digest array and resets for reuse. */
    public byte[] digest() {
        byte[] out = new byte[outLength];
        digest(out, 0);
        return out;
    }

    /** Unkeyed BLAKE2s-256 of the concatenation of {@code parts}. */
    public static byte[] hash(byte[]... parts) {
        return hash(MAX_LENGTH, null, parts);
    }

    /** BLAKE2s with the given digest length and key (null for none) over the concatenation of {@code parts}. */
    public static byte[] hash(int outLength, byte[] key, byte[]... parts) {
        Blake2s b = new Blake2s(outLength, key);
        for (byte[] p : parts) {
            b.update(p, 0, p.length);
        }
        return b.digest();
    }

    private void compress(byte[] block, int off, boolean last) {
        for (int i = 0; i < 16; i++) {
            int p = off + 4 * i;
            m[i] = (block[p] & 0xff) | (block[p + 1] & 0xff) << 8 | (block[p + 2] & 0xff) << 16 | block[p + 3] << 24;
        }
        System.arraycopy(h, 0, v, 0, 8);
        System.arraycopy(IV, 0, v, 8, 8);
        v[12] ^= (int) total;
        v[13] ^= (int) (total >>> 32);
        if (last) {
            v[14] = ~v[14];
        }
        for (int r = 0; r < 10; r++) {
            byte[] s = SIGMA[r];
            g(0, 4, 8, 12, m[s[0]], m[s[1]]);
            g(1, 5, 9, 13, m[s[2]], m[s[3]]);
            g(2, 6, 10, 14, m[s[4]], m[s[5]]);
            g(3, 7, 11, 15, m[s[6]], m[s[7]]);
            g(0, 5, 10, 15, m[s[8]], m[s[9]]);
            g(1, 6, 11, 12, m[s[10]], m[s[11]]);
            g(2, 7, 8, 13, m[s[12]], m[s[13]]);
            g(3, 4, 9, 14, m[s[14]], m[s[15]]);
        }
        for (int i = 0; i < 8; i++) {
            h[i] ^= v[i] ^ v[i + 8];
        }
    }

    private void g(int a, int b, int c, int d, int x, int y) {
        int[] w = v;
        w[a] += w[b] + x;
        w[d] = Integer.rotateRight(w[d] ^ w[a], 16);
        w[c] += w[d];
        w[b] = Integer.rotateRight(w[b] ^ w[c], 12);
        w[a] += w[b] + y;
        w[d] = Integer.rotateRight(w[d] ^ w[a], 8);
        w[c] += w[d];
        w[b] = Integer.rotateRight(w[b] ^ w[c], 7);
    }
}
