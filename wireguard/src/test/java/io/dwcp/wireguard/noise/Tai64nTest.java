package io.dwcp.wireguard.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Tai64nTest {

    @Test
    void layoutAndWhitening() {
        // 2^24 ns = 16777216: 50_000_000 ns rounds down to 2 * 16777216 = 33554432 = 0x02000000
        byte[] t = Tai64n.stamp(Instant.ofEpochSecond(1, 50_000_000));
        assertEquals("400000000000000b" + "02000000", HexFormat.of().formatHex(t));
    }

    @Test
    void afterIsStrictAndUnsigned() {
        byte[] a = Tai64n.stamp(Instant.ofEpochSecond(1_700_000_000L, 0));
        byte[] b = Tai64n.stamp(Instant.ofEpochSecond(1_700_000_000L, 999_999_999));
        assertTrue(Tai64n.after(b, a));
        assertFalse(Tai64n.after(a, b));
        assertFalse(Tai64n.after(a, a.clone()));
        // within one whitening step the timestamps are equal, so a second initiation there counts as a replay
        assertFalse(Tai64n.after(Tai64n.stamp(Instant.ofEpochSecond(5, 1)), Tai64n.stamp(Instant.ofEpochSecond(5, 0))));
        assertTrue(Tai64n.after(a, new byte[12]));
    }
}
