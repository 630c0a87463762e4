package io.dwcp.wireguard.noise;

import io.dwcp.wireguard.crypto.Blake2s;
import io.dwcp.wireguard.crypto.ChaCha20Poly1305;
import io.dwcp.wireguard.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The Noise SymmetricState for ChaChaPoly/BLAKE2s: chaining key and transcript hash. Every key IKpsk2 derives is used
 * for exactly one encryption before the next MixKey, so the cipher nonce is always zero and no CipherState is kept;
 * the operations that produce a key return it to the caller instead.
 */
final class SymmetricState {

    static final int LENGTH = 32;
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] ZERO_NONCE = new byte[ChaCha20Poly1305.NONCE_LENGTH];

    final byte[] chainingKey = new byte[LENGTH];
    final byte[] hash = new byte[LENGTH];

    /** Noise InitializeSymmetric(protocolName) followed by MixHash(prologue). */
    static SymmetricState initialize(String protocolName, byte[] prologue) {
        SymmetricState s = new SymmetricState();
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        byte[] h = name.length <= LENGTH ? Arrays.copyOf(name, LENGTH) : Blake2s.hash(name);
        System.arraycopy(h, 0, s.hash, 0, LENGTH);
        System.arraycopy(h, 0, s.chainingKey, 0, LENGTH);
        s.mixHash(prologue);
        return s;
    }

    SymmetricState copy() {
        SymmetricState s = new SymmetricState();
        s.set(this);
        return s;
    }

    void set(SymmetricState other) {
        System.arraycopy(other.chainingKey, 0, chainingKey, 0, LENGTH);
        System.arraycopy(other.hash, 0, hash, 0, LENGTH);
    }

    void clear() {
        Arrays.fill(chainingKey, (byte) 0);
        Arrays.fill(hash, (byte) 0);
    }

    void mixHash(byte[] data) {
        mixHash(data, 0, data.length);
    }

    void mixHash(byte[] data, int off, int len) {
        Blake2s b = new Blake2s(LENGTH);
        b.update(hash, 0, LENGTH);
        b.update(data, off, len);
        b.digest(hash, 0);
    }

    /** MixKey whose key output is discarded (the ephemeral token in psk mode: the key is replaced before use). */
    void mixKeyOnly(byte[] input) {
        byte[] ck = Hkdf.kdf1(chainingKey, input);
        System.arraycopy(ck, 0, chainingKey, 0, LENGTH);
    }

    /** MixKey: advances the chaining key and returns the new cipher key. */
    byte[] mixKey(byte[] input) {
        byte[][] t = Hkdf.kdf2(chainingKey, input);
        System.arraycopy(t[0], 0, chainingKey, 0, LENGTH);
        return t[1];
    }

    /** MixKeyAndHash (the psk token): advances the chaining key, mixes into the hash, returns the cipher key. */
    byte[] mixKeyAndHash(byte[] input) {
        byte[][] t = Hkdf.kdf3(chainingKey, input);
        System.arraycopy(t[0], 0, chainingKey, 0, LENGTH);
        mixHash(t[1]);
        Arrays.fill(t[1], (byte) 0);
        return t[2];
    }

    /** EncryptAndHash with nonce 0, writing ciphertext || tag at {@code out[off]}. */
    void encryptAndHash(byte[] key, byte[] plaintext, byte[] out, int off) {
        byte[] sealed = ChaCha20Poly1305.seal(key, ZERO_NONCE, plaintext, hash);
        Arrays.fill(key, (byte) 0);
        System.arraycopy(sealed, 0, out, off, sealed.length);
        mixHash(sealed);
    }

    /** DecryptAndHash with nonce 0 of {@code len} bytes at {@code in[off]}; null (hash untouched) if forged. */
    byte[] decryptAndHash(byte[] key, byte[] in, int off, int len) {
        byte[] plaintext = ChaCha20Poly1305.open(key, ZERO_NONCE, Arrays.copyOfRange(in, off, off + len), hash);
        Arrays.fill(key, (byte) 0);
        if (plaintext != null) {
            mixHash(in, off, len);
        }
        return plaintext;
    }

    /** Split: {first, second} transport keys; the initiator sends with the first. */
    byte[][] split() {
        return Hkdf.kdf2(chainingKey, EMPTY);
    }
}
