package io.dwcp.wireguard.noise;

import java.nio.ByteBuffer;

/**
 * Layout of a transport data message (type 4): a 16-byte header, then the ChaCha20-Poly1305 ciphertext of the
 * padded inner packet with its 16-byte tag (a keepalive has an empty plaintext, so 32 bytes in all):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         type = 4 (u32)                        |   0
 *  |                        receiver index (u32)                   |   4
 *  |                        counter (u64)                          |   8
 *  +---------------------------------------------------------------+  16
 *  |                encrypted packet (n + 16 tag) ...              |
 * </pre>
 * Accessors take an absolute index of the message start and ignore the buffer's byte order and position.
 */
public final class TransportHeader {

    /** Message type value. */
    public static final int TYPE = 4;
    /** Header length. */
    public static final int LENGTH = 16;
    /** Offset of the receiver index. */
    public static final int RECEIVER = 4;
    /** Offset of the counter. */
    public static final int COUNTER = 8;
    /** Smallest valid message: a keepalive. */
    public static final int MIN_MESSAGE_LENGTH = LENGTH + 16;

    private TransportHeader() {
    }

    /** Writes type, receiver and counter at {@code at}. */
    public static void write(ByteBuffer b, int at, int receiver, long counter) {
        Le.putInt(b, at, TYPE);
        Le.putInt(b, at + RECEIVER, receiver);
        Le.putLong(b, at + COUNTER, counter);
    }

    /** The type field at {@code at}. */
    public static int type(ByteBuffer b, int at) {
        return Le.getInt(b, at);
    }

    /** The receiver index at {@code at}. */
    public static int receiver(ByteBuffer b, int at) {
        return Le.getInt(b, at + RECEIVER);
    }

    /** The counter at {@code at} (unsigned). */
    public static long counter(ByteBuffer b, int at) {
        return Le.getLong(b, at + COUNTER);
    }
}
