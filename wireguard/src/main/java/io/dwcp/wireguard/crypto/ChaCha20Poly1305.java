package io.dwcp.wireguard.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) over byte arrays through the JDK, with WireGuard's nonce layout: 4 zero bytes then a
 * 64-bit little-endian counter. For handshake and cookie messages; transport packets go through
 * the buffer-based helpers of the noise package's Keypair.
 */
public final class ChaCha20Poly1305 {

    /** Tag length in bytes. */
    public static final int TAG_LENGTH = 16;
    /** Nonce length in bytes. */
    public static final int NONCE_LENGTH = 12;

    private ChaCha20Poly1305() {
    }

    /** The 12-byte nonce for a counter. */
    public static byte[] nonce(long counter) {
        byte[] n = new byte[NONCE_LENGTH];
        for (int i = 0; i < 8; i++) {
            n[4 + i] = (byte) (counter >>> (8 * i));
        }
        return n;
    }

    /** Encrypts {@code plaintext} and returns ciphertext || tag. */
    public static byte[] seal(byte[] key, byte[] nonce, byte[] plaintext, byte[] aad) {
        try {
            Cipher c = init(Cipher.ENCRYPT_MODE, key, nonce, aad);
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            // fresh Cipher, valid key and nonce lengths: the JDK cannot refuse
            throw new IllegalStateException("chacha20-poly1305 seal failed", e);
        }
    }

    /** Decrypts ciphertext || tag, or returns null if it does not authenticate. */
    public static byte[] open(byte[] key, byte[] nonce, byte[] sealed, byte[] aad) {
        if (sealed.length < TAG_LENGTH) {
            return null;
        }
        try {
            Cipher c = init(Cipher.DECRYPT_MODE, key, nonce, aad);
            return c.doFinal(sealed);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("chacha20-poly1305 open failed", e);
        }
    }

    private static Cipher init(int mode, byte[] key, byte[] nonce, byte[] aad) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(mode, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        if (aad != null && aad.length > 0) {
            c.updateAAD(aad);
        }
        return c;
    }
}
