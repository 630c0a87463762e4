package io.dwcp.wireguard.crypto;

import java.util.Base64;
import java.util.HexFormat;

/** WireGuard key encodings: {@code wg}'s base64 form and the UAPI's lower-case hex form, both of 32 bytes. */
public final class Keys {

    /** Key length in bytes. */
    public static final int LENGTH = 32;

    private static final HexFormat HEX = HexFormat.of();

    private Keys() {
    }

    /** Decodes a 44-character base64 key; throws {@link IllegalArgumentException} naming what is wrong. */
    public static byte[] parse(String base64) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key=" + abbreviate(base64) + " invalid base64", e);
        }
        return checkLength(key);
    }

    /** Encodes a 32-byte key as base64, as {@code wg} prints it. */
    public static String format(byte[] key) {
        return Base64.getEncoder().encodeToString(checkLength(key));
    }

    /** Encodes a 32-byte key as 64 lower-case hex digits (UAPI form). */
    public static String toHex(byte[] key) {
        return HEX.formatHex(checkLength(key));
    }

    /** Decodes 64 hex digits (either case); throws {@link IllegalArgumentException} naming what is wrong. */
    public static byte[] fromHex(String hex) {
        byte[] key;
        try {
            key = HEX.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key=" + abbreviate(hex) + " invalid hex", e);
        }
        return checkLength(key);
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

    private static byte[] checkLength(byte[] key) {
        if (key.length != LENGTH) {
            throw new IllegalArgumentException("length=" + key.length + " expected 32");
        }
        return key;
    }

    // a key is a secret; echo only enough of a bad one to recognise it in a config file
    private static String abbreviate(String s) {
        return s.length() <= 8 ? s : s.substring(0, 8) + "...";
    }
}
