package io.dwcp.wireguard.crypto;

import java.util.Arrays;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) for WireGuard cookie replies: HChaCha20 derives a subkey from the
 * key and the first 16 nonce bytes, then the JDK's ChaCha20-Poly1305 runs with nonce = 4 zero bytes || nonce[16..24].
 */
public final class XChaCha20Poly1305 {

    /** Nonce length in bytes. */
    public static final int NONCE_LENGTH = 24;

    private XChaCha20Poly1305() {
    }

    /** Encrypts and returns ciphertext || tag. */
    public static byte[] seal(byte[] key, byte[] nonce24, byte[] plaintext, byte[] aad) {
        byte[] tail = tailNonce(nonce24);
        byte[] subkey = hchacha20(key, Arrays.copyOf(nonce24, 16));
        try {
            return ChaCha20Poly1305.seal(subkey, tail, plaintext, aad);
        } finally {
            Arrays.fill(subkey, (byte) 0);
        }
    }

    /** Decrypts ciphertext || tag, or returns null if it does not authenticate. */
    public static byte[] open(byte[] key, byte[] nonce24, byte[] sealed, byte[] aad) {
        byte[] tail = tailNonce(nonce24);
        byte[] subkey = hchacha20(key, Arrays.copyOf(nonce24, 16));
        try {
            return ChaCha20Poly1305.open(subkey, tail, sealed, aad);
        } finally {
            Arrays.fill(subkey, (byte) 0);
        }
    }

    /** HChaCha20: the 20-round ChaCha core on (constants, key, 16-byte nonce), output words 0..3 and 12..15. */
    public static byte[] hchacha20(byte[] key, byte[] nonce16) {
        if (key.length != 32 || nonce16.length != 16) {
            throw new IllegalArgumentException("keylen=" + key.length + " noncelen=" + nonce16.length
                    + " expected 32 and 16");
        }
        int[] x = new int[16];
        x[0] = 0x61707865;
        x[1] = 0x3320646e;
        x[2] = 0x79622d32;
        x[3] = 0x6b206574;
        for (int i = 0; i < 8; i++) {
            x[4 + i] = le32(key, 4 * i);
        }
        for (int i = 0; i < 4; i++) {
            x[12 + i] = le32(nonce16, 4 * i);
        }
        for (int round = 0; round < 10; round++) {
            quarter(x, 0, 4, 8, 12);
            quarter(x, 1, 5, 9, 13);
            quarter(x, 2, 6, 10, 14);
            quarter(x, 3, 7, 11, 15);
            quarter(x, 0, 5, 10, 15);
            quarter(x, 1, 6, 11, 12);
            quarter(x, 2, 7, 8, 13);
            quarter(x, 3, 4, 9, 14);
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 4; i++) {
            putLe32(out, 4 * i, x[i]);
            putLe32(out, 16 + 4 * i, x[12 + i]);
        }
        Arrays.fill(x, 0);
        return out;
    }

    private static byte[] tailNonce(byte[] nonce24) {
        if (nonce24.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("noncelen=" + nonce24.length + " expected 24");
        }
        byte[] n = new byte[ChaCha20Poly1305.NONCE_LENGTH];
        System.arraycopy(nonce24, 16, n, 4, 8);
        return n;
    }

    private static void quarter(int[] x, int a, int b, int c, int d) {
        x[a] += x[b];
        x[d] = Integer.rotateLeft(x[d] ^ x[a], 16);
        x[c] += x[d];
        x[b] = Integer.rotateLeft(x[b] ^ x[c], 12);
        x[a] += x[b];
        x[d] = Integer.rotateLeft(x[d] ^ x[a], 8);
        x[c] += x[d];
        x[b] = Integer.rotateLeft(x[b] ^ x[c], 7);
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | b[off + 3] << 24;
    }

    private static void putLe32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
