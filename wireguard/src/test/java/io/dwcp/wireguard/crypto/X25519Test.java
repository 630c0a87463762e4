package io.dwcp.wireguard.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class X25519Test {

    private static final HexFormat HEX = HexFormat.of();

    // RFC 7748 section 6.1
    private static final byte[] ALICE_PRIV =
            HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final String ALICE_PUB = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private static final byte[] BOB_PRIV =
            HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    private static final String BOB_PUB = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    private static final String SHARED = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    @Test
    void rfc7748Section61() {
        assertEquals(ALICE_PUB, HEX.formatHex(X25519.publicKey(ALICE_PRIV)));
        assertEquals(BOB_PUB, HEX.formatHex(X25519.publicKey(BOB_PRIV)));
        assertEquals(SHARED, HEX.formatHex(X25519.sharedSecret(ALICE_PRIV, HEX.parseHex(BOB_PUB))));
        assertEquals(SHARED, HEX.formatHex(X25519.sharedSecret(BOB_PRIV, HEX.parseHex(ALICE_PUB))));
    }

    @Test
    void lowOrderPointsAreRefusedByReturnValue() {
        assertNull(X25519.sharedSecret(ALICE_PRIV, new byte[32]));
        byte[] one = new byte[32];
        one[0] = 1;
        assertNull(X25519.sharedSecret(ALICE_PRIV, one));
        // order-8 point from the libsodium blocklist
        assertNull(X25519.sharedSecret(ALICE_PRIV,
                HEX.parseHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")));
    }

    @Test
    void generatedKeysAreClampedAndAgree() {
        byte[] a = X25519.generatePrivateKey();
        byte[] b = X25519.generatePrivateKey();
        assertEquals(0, a[0] & 7);
        assertEquals(0x40, a[31] & 0xc0);
        assertArrayEquals(X25519.sharedSecret(a, X25519.publicKey(b)), X25519.sharedSecret(b, X25519.publicKey(a)));
    }
}
