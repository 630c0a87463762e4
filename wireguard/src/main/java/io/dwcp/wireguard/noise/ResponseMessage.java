package io.dwcp.wireguard.noise;

/**
 * Layout of the handshake response (type 2, 92 bytes), all integers little-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         type = 2 (u32)                        |   0
 *  |                         sender index (u32)                    |   4
 *  |                        receiver index (u32)                   |   8
 *  |                  unencrypted ephemeral (32)                   |  12
 *  |                 encrypted nothing (0 + 16 tag)                |  44
 *  |                           mac1 (16)                           |  60
 *  |                           mac2 (16)                           |  76
 *  +---------------------------------------------------------------+  92
 * </pre>
 */
public final class ResponseMessage {

    /** Message type value. */
    public static final int TYPE = 2;
    /** Total length. */
    public static final int LENGTH = 92;
    /** Offset of the sender index. */
    public static final int SENDER = 4;
    /** Offset of the receiver index. */
    public static final int RECEIVER = 8;
    /** Offset of the ephemeral public key. */
    public static final int EPHEMERAL = 12;
    /** Offset of the encrypted empty payload (a bare tag). */
    public static final int EMPTY = 44;
    /** Offset of mac1. */
    public static final int MAC1 = 60;
    /** Offset of mac2. */
    public static final int MAC2 = 76;

    private ResponseMessage() {
    }

    /** True if {@code msg} has this message's length and type. */
    public static boolean is(byte[] msg) {
        return msg.length == LENGTH && Le.getInt(msg, 0) == TYPE;
    }

    /** The sender's index. */
    public static int sender(byte[] msg) {
        return Le.getInt(msg, SENDER);
    }

    /** The receiver's index (the initiator's local index). */
    public static int receiver(byte[] msg) {
        return Le.getInt(msg, RECEIVER);
    }
}
