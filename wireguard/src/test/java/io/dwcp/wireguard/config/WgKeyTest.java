package io.dwcp.wireguard.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WgKeyTest {
    // A private key and its hex form, taken from a wireguard-go get=1 reply (wg showconf printed the base64).
    static final String B64 = "QGBT5j1eJyJUje58svF3yZMHptzB7GAtfoY6cKU79HA=";
    static final String HEX = "406053e63d5e2722548dee7cb2f177c99307a6dcc1ec602d7e863a70a53bf470";

    @Test
    void base64AndHexAreTheSameKey() {
        WgKey a = WgKey.parseBase64(B64);
        WgKey b = WgKey.parseHex(HEX);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(HEX, a.toHex());
        assertEquals(B64, b.toBase64());
        assertEquals(b, WgKey.parseHex(HEX.toUpperCase(java.util.Locale.ROOT)));
        assertEquals(32, a.toBytes().length);
    }

    @Test
    void toStringAndErrorsNeverShowTheKey() {
        WgKey k = WgKey.parseBase64(B64);
        assertEquals("(hidden)", k.toString());
        String almost = B64.substring(0, 42) + "!=";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WgKey.parseBase64(almost));
        assertFalse(e.getMessage().contains(B64.substring(0, 20)), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WgKey.parseHex(HEX.substring(0, 62) + "zz"));
        assertFalse(e.getMessage().contains(HEX.substring(0, 20)), e.getMessage());
    }

    @Test
    void rejectsWrongLengthsAndNonCanonicalBase64() {
        assertThrows(IllegalArgumentException.class, () -> WgKey.parseBase64(B64.substring(1)));
        assertThrows(IllegalArgumentException.class, () -> WgKey.parseBase64(B64 + "="));
        assertThrows(IllegalArgumentException.class, () -> WgKey.parseHex(HEX + "00"));
        assertThrows(IllegalArgumentException.class, () -> WgKey.of(new byte[31]));
        // 'A' ends ...HA=; 'B' differs only in bits the decoder drops, so it is another spelling of the same key.
        assertThrows(IllegalArgumentException.class, () -> WgKey.parseBase64(B64.substring(0, 42) + "B="));
    }

    @Test
    void zeroAndCopies() {
        assertTrue(WgKey.zero().isZero());
        assertFalse(WgKey.parseHex(HEX).isZero());
        byte[] raw = new byte[32];
        raw[31] = 1;
        WgKey k = WgKey.of(raw);
        raw[31] = 2;
        assertFalse(k.isZero());
        assertArrayEquals(new byte[] {1}, new byte[] {k.toBytes()[31]});
        assertNotEquals(k, WgKey.zero());
    }
}
