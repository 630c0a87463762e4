package io.dwcp.wireguard.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void genkeyIsClamped() {
        for (int i = 0; i < 32; i++) {
            byte[] k = Keys.genkey();
            assertEquals(32, k.length);
            assertEquals(0, k[0] & 7);
            assertEquals(0x40, k[31] & 0xc0);
        }
    }

    @Test
    void clampMatchesWgGenkey() {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) 0xff);
        Keys.clamp(k);
        assertEquals((byte) 0xf8, k[0]);
        assertEquals((byte) 0x7f, k[31]);
        assertEquals((byte) 0xff, k[15]);
    }
}
