package io.dwcp.wireguard.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748) over raw 32-byte little-endian keys, delegating the curve arithmetic to the JDK's XDH provider.
 */
public final class X25519 {

    /** Key and shared-secret length in bytes. */
    public static final int KEY_LENGTH = 32;

    private static final SecureRandom RANDOM = new SecureRandom();
    // the base point u = 9, used to derive a public key by agreement rather than through KeyPairGenerator, which
    // cannot take a caller's private scalar
    private static final byte[] BASE_POINT = new byte[KEY_LENGTH];

    static {
        BASE_POINT[0] = 9;
    }

    private X25519() {
    }

    /** A fresh private key, clamped like {@code wg genkey}. */
    public static byte[] generatePrivateKey() {
        byte[] k = new byte[KEY_LENGTH];
        RANDOM.nextBytes(k);
        Keys.clamp(k);
        return k;
    }

    /** The public key of {@code privateKey}. */
    public static byte[] publicKey(byte[] privateKey) {
        byte[] pub = sharedSecret(privateKey, BASE_POINT);
        if (pub == null) {
            throw new IllegalStateException("x25519 base point multiplication failed");
        }
        return pub;
    }

    /**
     * DH(privateKey, publicKey), or null if the peer's key is a low-order point (all-zero result) or otherwise
     * unusable; a hostile peer's key must never surface as an exception.
     */
    public static byte[] sharedSecret(byte[] privateKey, byte[] publicKey) {
        checkLength("private", privateKey);
        checkLength("public", publicKey);
        try {
            KeyFactory kf = KeyFactory.getInstance("XDH");
            PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey.clone()));
            PublicKey pub = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, toU(publicKey)));
            KeyAgreement ka = KeyAgreement.getInstance("XDH");
            ka.init(priv);
            ka.doPhase(pub, true);
            byte[] secret = ka.generateSecret();
            return isZero(secret) ? null : secret;
        } catch (GeneralSecurityException e) {
            // the JDK reports a small-order result as InvalidKeyException
            return null;
        }
    }

    /** Constant-time check that all bytes are zero. */
    public static boolean isZero(byte[] b) {
        int acc = 0;
        for (byte x : b) {
            acc |= x;
        }
        return acc == 0;
    }

    private static BigInteger toU(byte[] le) {
        byte[] be = new byte[KEY_LENGTH];
        for (int i = 0; i < KEY_LENGTH; i++) {
            be[i] = le[KEY_LENGTH - 1 - i];
        }
        // RFC 7748 section 5: the top bit of the u-coordinate is ignored; the JDK reduces the rest mod p itself
        be[0] &= 0x7f;
        return new BigInteger(1, be);
    }

    private static void checkLength(String what, byte[] key) {
        if (key == null || key.length != KEY_LENGTH) {
            throw new IllegalArgumentException(
                    "length=" + (key == null ? -1 : key.length) + " expected 32 for an x25519 " + what + " key");
        }
    }
}
