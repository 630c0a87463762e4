package io.dwcp.wireguard.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void base64RoundTripAndWgShape() {
        byte[] k = Keys.genkey();
        String s = Keys.format(k);
        assertEquals(44, s.length());
        assertTrue(s.endsWith("=") && !s.endsWith("=="));
        assertArrayEquals(k, Keys.parse(s));
        // RFC 7748 Alice, as `wg pubkey` would print the public half
        byte[] alicePub = HexFormat.of().parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertEquals("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", Keys.format(alicePub));
    }

    @Test
    void parseErrorsNameTheProblem() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Keys.parse("not*base64"));
        assertTrue(bad.getMessage().contains("invalid base64"), bad.getMessage());
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class, () -> Keys.parse("AAAA"));
        assertEquals("length=3 expected 32", shortKey.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Keys.fromHex("zz"));
        assertThrows(IllegalArgumentException.class, () -> Keys.fromHex("00"));
    }

    @Test
    void hexIsLowerCaseAndRoundTrips() {
        byte[] k = new byte[32];
        k[0] = (byte) 0xAB;
        String hex = Keys.toHex(k);
        assertEquals("ab" + "00".repeat(31), hex);
        assertArrayEquals(k, Keys.fromHex(hex.toUpperCase(java.util.Locale.ROOT)));
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
