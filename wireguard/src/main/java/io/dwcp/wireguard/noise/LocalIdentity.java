package io.dwcp.wireguard.noise;

import io.dwcp.wireguard.crypto.Keys;
import io.dwcp.wireguard.crypto.X25519;

/**
 * This device's static key pair with the values derived from it once: the key peers use for mac1 of messages they
 * send us, and the key our cookie replies are encrypted with. Immutable; replace it to change the key.
 */
public final class LocalIdentity {

    final byte[] privateKey;
    final byte[] publicKey;
    final byte[] mac1Key;
    final byte[] cookieKey;

    /** Identity of a 32-byte private key (clamped copy is kept; the argument is not modified). */
    public LocalIdentity(byte[] privateKey) {
        if (privateKey.length != Keys.LENGTH) {
            throw new IllegalArgumentException("length=" + privateKey.length + " expected 32");
        }
        this.privateKey = Keys.clamp(privateKey.clone());
        this.publicKey = X25519.publicKey(this.privateKey);
        this.mac1Key = Macs.mac1Key(publicKey);
        this.cookieKey = Macs.cookieKey(publicKey);
    }

    /** A copy of the public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }
}
