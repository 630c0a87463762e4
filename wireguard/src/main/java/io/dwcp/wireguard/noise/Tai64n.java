package io.dwcp.wireguard.noise;

import java.time.Instant;
import java.util.Arrays;

/**
 * TAI64N timestamps as the initiation carries them: 8-byte big-endian label 2^62 + 10 + Unix seconds, then 4-byte
 * big-endian nanoseconds. The nanoseconds are rounded down to a multiple of 2^24 (about 16.8 ms) like wireguard-go,
 * so the timestamp does not leak a precise clock to a passive observer who later learns the keys.
 */
public final class Tai64n {

    /** Timestamp length in bytes. */
    public static final int LENGTH = 12;

    private static final long BASE = 0x400000000000000aL;
    private static final int WHITENER_MASK = 0x1000000 - 1;

    private Tai64n() {
    }

    /** The whitened timestamp of the current time. */
    public static byte[] now() {
        return stamp(Instant.now());
    }

    /** The whitened timestamp of {@code t}. */
    public static byte[] stamp(Instant t) {
        byte[] out = new byte[LENGTH];
        long secs = BASE + t.getEpochSecond();
        int nanos = t.getNano() & ~WHITENER_MASK;
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (secs >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            out[8 + i] = (byte) (nanos >>> (24 - 8 * i));
        }
        return out;
    }

    /** True if {@code a} is strictly later than {@code b}. */
    public static boolean after(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, 0, LENGTH, b, 0, LENGTH) > 0;
    }
}
