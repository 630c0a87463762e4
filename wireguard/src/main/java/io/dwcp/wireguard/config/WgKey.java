package io.dwcp.wireguard.config;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A 32-byte WireGuard key (private, public or preshared). Immutable. {@link #toString()} never shows the bytes,
 * because the type cannot know whether it holds a secret: print public keys with {@link #toBase64()}.
 * Parse failures throw {@link IllegalArgumentException} whose message never contains the input.
 */
public final class WgKey {
    /** Key length in bytes. */
    public static final int LENGTH = 32;
    private static final int BASE64_LENGTH = 44;
    private static final int HEX_LENGTH = 64;
    private static final WgKey ZERO = new WgKey(new byte[LENGTH]);

    private final byte[] bytes;

    private WgKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A key holding a copy of {@code bytes}, which must be 32 long. */
    public static WgKey of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("error=key must be 32 bytes length=" + bytes.length);
        }
        return new WgKey(bytes.clone());
    }

    /** The all-zero key, which the UAPI uses for "no key". */
    public static WgKey zero() {
        return ZERO;
    }

    /** Parses {@code wg genkey} output: 44 characters of standard base64 ending in '='. */
    public static WgKey parseBase64(String text) {
        if (text.length() != BASE64_LENGTH || text.charAt(BASE64_LENGTH - 1) != '=') {
            throw new IllegalArgumentException("error=key must be 44 base64 characters ending in '='");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("error=key is not valid base64");
        }
        // The JDK decoder ignores non-zero bits in the last character; re-encoding rejects such aliases of one key.
        if (decoded.length != LENGTH || !Base64.getEncoder().encodeToString(decoded).equals(text)) {
            Arrays.fill(decoded, (byte) 0);
            throw new IllegalArgumentException("error=key is not canonical base64");
        }
        return new WgKey(decoded);
    }

    /** Parses 64 hex digits, either case, as the UAPI carries keys (wireguard-go accepts both cases). */
    public static WgKey parseHex(String text) {
        if (text.length() != HEX_LENGTH) {
            throw new IllegalArgumentException("error=key must be 64 hex digits");
        }
        try {
            return new WgKey(HexFormat.of().parseHex(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("error=key is not valid hex");
        }
    }

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Standard base64, as {@code wg} prints and reads keys. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Lower-case hex, as the UAPI carries keys. */
    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** Whether all 32 bytes are zero; checked in constant time since private keys pass through here. */
    public boolean isZero() {
        int acc = 0;
        for (byte b : bytes) {
            acc |= b;
        }
        return acc == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WgKey k && MessageDigest.isEqual(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Always {@code (hidden)}: a key may be private, and toString ends up in logs. */
    @Override
    public String toString() {
        return "(hidden)";
    }
}
