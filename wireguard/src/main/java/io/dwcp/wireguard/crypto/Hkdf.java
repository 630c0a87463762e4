package io.dwcp.wireguard.crypto;

import java.util.Arrays;

/**
 * WireGuard's KDF1..KDF3: HKDF (RFC 5869) over HMAC-BLAKE2s with an empty info, written exactly like wireguard-go's
 * {@code noise-helpers.go} so the chaining keys match byte for byte. Each output is 32 bytes.
 */
public final class Hkdf {

    private static final byte[] ONE = {1};
    private static final byte[] TWO = {2};
    private static final byte[] THREE = {3};

    private Hkdf() {
    }

    /** KDF1: returns T1. */
    public static byte[] kdf1(byte[] key, byte[] input) {
        byte[] prk = Hmac.mac(key, input);
        byte[] t0 = Hmac.mac(prk, ONE);
        Arrays.fill(prk, (byte) 0);
        return t0;
    }

    /** KDF2: returns {T1, T2}. */
    public static byte[][] kdf2(byte[] key, byte[] input) {
        byte[] prk = Hmac.mac(key, input);
        byte[] t0 = Hmac.mac(prk, ONE);
        byte[] t1 = Hmac.mac(prk, t0, TWO);
        Arrays.fill(prk, (byte) 0);
        return new byte[][] {t0, t1};
    }

    /** KDF3: returns {T1, T2, T3}. */
    public static byte[][] kdf3(byte[] key, byte[] input) {
        byte[] prk = Hmac.mac(key, input);
        byte[] t0 = Hmac.mac(prk, ONE);
        byte[] t1 = Hmac.mac(prk, t0, TWO);
        byte[] t2 = Hmac.mac(prk, t1, THREE);
        Arrays.fill(prk, (byte) 0);
        return new byte[][] {t0, t1, t2};
    }
}
