package io.dwcp.wireguard.crypto;

import java.util.Arrays;

/**
 * HMAC-BLAKE2s-256 (RFC 2104 with a 64-byte block), the PRF WireGuard's KDF is built on. Not keyed BLAKE2s: WireGuard
 * uses the HMAC construction here and keyed BLAKE2s only for mac1/mac2.
 */
public final class Hmac {

    /** Output length in bytes. */
    public static final int LENGTH = Blake2s.MAX_LENGTH;

    private Hmac() {
    }

    /** HMAC(key, concatenation of {@code parts}) into {@code out[off..off+32)}; {@code out} may alias an input. */
    public static void mac(byte[] key, byte[] out, int off, byte[]... parts) {
        byte[] k = new byte[Blake2s.BLOCK_LENGTH];
        if (key.length > Blake2s.BLOCK_LENGTH) {
            System.arraycopy(Blake2s.hash(key), 0, k, 0, LENGTH);
        } else {
            System.arraycopy(key, 0, k, 0, key.length);
        }
        for (int i = 0; i < k.length; i++) {
            k[i] ^= 0x36;
        }
        Blake2s inner = new Blake2s(LENGTH);
        inner.update(k, 0, k.length);
        for (byte[] p : parts) {
            inner.update(p, 0, p.length);
        }
        byte[] innerDigest = inner.digest();
        for (int i = 0; i < k.length; i++) {
            k[i] ^= 0x36 ^ 0x5c;
        }
        Blake2s outer = new Blake2s(LENGTH);
        outer.update(k, 0, k.length);
        outer.update(innerDigest, 0, innerDigest.length);
        outer.digest(out, off);
        Arrays.fill(k, (byte) 0);
        Arrays.fill(innerDigest, (byte) 0);
    }

    /** HMAC(key, concatenation of {@code parts}) as a new 32-byte array. */
    public static byte[] mac(byte[] key, byte[]... parts) {
        byte[] out = new byte[LENGTH];
        mac(key, out, 0, parts);
        return out;
    }
}
