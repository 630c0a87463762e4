package io.dwcp.wireguard.noise;

import io.dwcp.wireguard.crypto.Blake2s;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** mac1/mac2 keys and MACs: keyed BLAKE2s-128 over a handshake message's prefix. */
final class Macs {

    static final int MAC_LENGTH = 16;
    private static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LABEL_COOKIE = "cookie--".getBytes(StandardCharsets.US_ASCII);

    private Macs() {
    }

    /** HASH("mac1----" || publicKey): keys mac1 of messages sent to that key's owner. */
    static byte[] mac1Key(byte[] publicKey) {
        return Blake2s.hash(LABEL_MAC1, publicKey);
    }

    /** HASH("cookie--" || publicKey): encrypts cookie replies sent by that key's owner. */
    static byte[] cookieKey(byte[] publicKey) {
        return Blake2s.hash(LABEL_COOKIE, publicKey);
    }

    /** Keyed BLAKE2s-128 of {@code data[0..len)} into {@code out[off..off+16)}. */
    static void mac(byte[] key, byte[] data, int len, byte[] out, int off) {
        new Blake2s(MAC_LENGTH, key).update(data, 0, len).digest(out, off);
    }

    /** Constant-time check of the 16-byte MAC at {@code msg[at]} against keyed BLAKE2s-128 of {@code msg[0..at)}. */
    static boolean verify(byte[] key, byte[] msg, int at) {
        byte[] expected = new byte[MAC_LENGTH];
        mac(key, msg, at, expected, 0);
        byte[] actual = new byte[MAC_LENGTH];
        System.arraycopy(msg, at, actual, 0, MAC_LENGTH);
        return MessageDigest.isEqual(expected, actual);
    }

    /** Offset of mac1 in a handshake message: the last 32 bytes are mac1 then mac2. */
    static int mac1Offset(byte[] msg) {
        return msg.length - 2 * MAC_LENGTH;
    }

    static int mac2Offset(byte[] msg) {
        return msg.length - MAC_LENGTH;
    }
}
