package io.dwcp.wireguard.noise;

/**
 * Layout of the handshake initiation (type 1, 148 bytes), all integers little-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         type = 1 (u32)                        |   0
 *  |                         sender index (u32)                    |   4
 *  |                  unencrypted ephemeral (32)                   |   8
 *  |              encrypted static (32 + 16 tag)                   |  40
 *  |            encrypted TAI64N timestamp (12 + 16 tag)           |  88
 *  |                           mac1 (16)                           | 116
 *  |                           mac2 (16)                           | 132
 *  +---------------------------------------------------------------+ 148
 * </pre>
 */
public final class InitiationMessage {

    /** Message type value. */
    public static final int TYPE = 1;
    /** Total length. */
    public static final int LENGTH = 148;
    /** Offset of the sender index. */
    public static final int SENDER = 4;
    /** Offset of the ephemeral public key. */
    public static final int EPHEMERAL = 8;
    /** Offset of the encrypted static key. */
    public static final int STATIC = 40;
    /** Length of the encrypted static key. */
    public static final int STATIC_LENGTH = 48;
    /** Offset of the encrypted timestamp. */
    public static final int TIMESTAMP = 88;
    /** Length of the encrypted timestamp. */
    public static final int TIMESTAMP_LENGTH = 28;
    /** Offset of mac1. */
    public static final int MAC1 = 116;
    /** Offset of mac2. */
    public static final int MAC2 = 132;

    private InitiationMessage() {
    }

    /** True if {@code msg} has this message's length and type. */
    public static boolean is(byte[] msg) {
        return msg.length == LENGTH && Le.getInt(msg, 0) == TYPE;
    }

    /** The sender's index. */
    public static int sender(byte[] msg) {
        return Le.getInt(msg, SENDER);
    }
}
