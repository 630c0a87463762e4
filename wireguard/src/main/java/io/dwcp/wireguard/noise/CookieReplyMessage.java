package io.dwcp.wireguard.noise;

/**
 * Layout of the cookie reply (type 3, 64 bytes), all integers little-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         type = 3 (u32)                        |   0
 *  |                        receiver index (u32)                   |   4
 *  |                     XChaCha20 nonce (24)                      |   8
 *  |                encrypted cookie (16 + 16 tag)                 |  32
 *  +---------------------------------------------------------------+  64
 * </pre>
 */
public final class CookieReplyMessage {

    /** Message type value. */
    public static final int TYPE = 3;
    /** Total length. */
    public static final int LENGTH = 64;
    /** Offset of the receiver index. */
    public static final int RECEIVER = 4;
    /** Offset of the nonce. */
    public static final int NONCE = 8;
    /** Length of the nonce. */
    public static final int NONCE_LENGTH = 24;
    /** Offset of the encrypted cookie. */
    public static final int COOKIE = 32;
    /** Length of the encrypted cookie. */
    public static final int COOKIE_LENGTH = 32;

    private CookieReplyMessage() {
    }

    /** True if {@code msg} has this message's length and type. */
    public static boolean is(byte[] msg) {
        return msg.length == LENGTH && Le.getInt(msg, 0) == TYPE;
    }

    /** The receiver's index (the index the answered handshake message was sent from). */
    public static int receiver(byte[] msg) {
        return Le.getInt(msg, RECEIVER);
    }
}
