package io.dwcp.wireguard.crypto;

/**
 * WireGuard private keys as {@code wg genkey} makes them (clamped X25519 scalars). Their text forms (base64 for
 * files and {@code wg}, hex for the UAPI) are {@code io.dwcp.wireguard.config.WgKey}'s.
 */
public final class Keys {

    /** Key length in bytes. */
    public static final int LENGTH = 32;

    private Keys() {
    }

    /** Clamps a private key in place like {@code wg genkey} and returns it. */
    public static byte[] clamp(byte[] privateKey) {
        privateKey[0] &= (byte) 248;
        privateKey[31] = (byte) ((privateKey[31] & 127) | 64);
        return privateKey;
    }

    /** A fresh clamped private key, as {@code wg genkey} makes. */
    public static byte[] genkey() {
        return X25519.generatePrivateKey();
    }
}
