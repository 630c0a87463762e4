package io.dwcp.wireguard.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.wireguard.crypto.ChaCha20Poly1305;
import io.dwcp.wireguard.crypto.X25519;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s vector of the cacophony suite, as shipped in github.com/mcginty/snow
 * {@code tests/vectors/cacophony.txt}. WireGuard is this exact protocol with prologue "WireGuard v1 zx2c4
 * Jason@zx2c4.com", a 12-byte timestamp payload in message 1 and an empty one in message 2; the vector uses prologue
 * "John Galt" and other payloads, which exercises the same chaining key, hash and encryption steps.
 */
class HandshakeCoreVectorTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String NAME = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    private static final byte[] PROLOGUE = HEX.parseHex("4a6f686e2047616c74");
    private static final byte[] PSK = HEX.parseHex("54686973206973206d7920417573747269616e20706572737065637469766521");
    private static final byte[] INIT_STATIC =
            HEX.parseHex("e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1");
    private static final byte[] INIT_EPHEMERAL =
            HEX.parseHex("893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a");
    private static final byte[] RESP_STATIC =
            HEX.parseHex("4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893");
    private static final byte[] RESP_EPHEMERAL =
            HEX.parseHex("bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b");
    private static final String RESP_STATIC_PUB = "31e0303fd6418d2f8c0e78b91f22e8caed0fbe48656dcf4767e4834f701b8f62";
    private static final String HANDSHAKE_HASH = "f5191b875290abcd41347ac3622d9679688a7e980229cb937ef748336cfde0e5";
    private static final String[][] MESSAGES = {
        {"4c756477696720766f6e204d69736573",
            "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944001e21de9f98ddd8e2ad57527207feb5"
            + "6253c9c94a9e496782ecfcb2a75fbcaf1b52948cc48daefe660c62119ab5000980c84831215f2441eba616548e83"
            + "2985464cf17e51ee93109008399a21f7e13f"},
        {"4d757272617920526f746862617264",
            "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843cb765f2caef0751b8f007572dab032"
            + "2217755c0632f365717edbf34d33e87a"},
        {"462e20412e20486179656b", "8153ca9833bc3c1b91a7e66e5f4d4f5b59bf9e64c2f20d15f0bba7"},
        {"4361726c204d656e676572", "07af0c9c86e1b4e80f36b04ff7688d51141af3debd0332f0a705ef"},
        {"4a65616e2d426170746973746520536179", "6ab1467c0448cc78394494abaaf23afce0e234315d6e2624dcbfa8a21c1c4d073d"},
        {"457567656e2042f6686d20766f6e2042617765726b",
            "dfc346c0d2296ae6cf1acf6f12b8456a1dba228cf8d8b774aacf1c47fc53aa80ebc7a4c292"},
    };

    /** Ci and Hi of the WireGuard paper, as pinned in github.com/conradludgate/rustyguard rustyguard-crypto/src/prim.rs. */
    @Test
    void wireguardInitialChainingKeyAndHash() {
        SymmetricState s = SymmetricState.initialize(Noise.CONSTRUCTION,
                Noise.IDENTIFIER.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36", HEX.formatHex(s.chainingKey));
        assertEquals("2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3", HEX.formatHex(s.hash));
    }

    @Test
    void cacophonyIkpsk2Vector() {
        byte[] respStaticPub = X25519.publicKey(RESP_STATIC);
        assertEquals(RESP_STATIC_PUB, HEX.formatHex(respStaticPub));
        byte[] initStaticPub = X25519.publicKey(INIT_STATIC);
        byte[] ss = X25519.sharedSecret(INIT_STATIC, respStaticPub);

        SymmetricState initiator = SymmetricState.initialize(NAME, PROLOGUE);
        initiator.mixHash(respStaticPub);
        SymmetricState responder = SymmetricState.initialize(NAME, PROLOGUE);
        responder.mixHash(respStaticPub);

        // message 1, initiator -> responder
        byte[] p1 = HEX.parseHex(MESSAGES[0][0]);
        byte[] m1 = new byte[32 + 48 + p1.length + 16];
        assertTrue(HandshakeCore.writeInitiation(initiator, INIT_EPHEMERAL, respStaticPub, initStaticPub, ss, p1, m1,
                0));
        assertEquals(MESSAGES[0][1], HEX.formatHex(m1));
        assertArrayEquals(initStaticPub, HandshakeCore.readInitiationStatic(responder, RESP_STATIC, m1, 0));
        assertArrayEquals(p1, HandshakeCore.readInitiationPayload(responder, ss, m1, 0, p1.length));
        byte[] initEphemeralPub = X25519.publicKey(INIT_EPHEMERAL);

        // message 2, responder -> initiator
        byte[] p2 = HEX.parseHex(MESSAGES[1][0]);
        byte[] m2 = new byte[32 + p2.length + 16];
        assertTrue(HandshakeCore.writeResponse(responder, RESP_EPHEMERAL, initEphemeralPub, initStaticPub, PSK, p2,
                m2, 0));
        assertEquals(MESSAGES[1][1], HEX.formatHex(m2));
        SymmetricState wrongPsk = initiator.copy();
        assertNull(HandshakeCore.readResponse(wrongPsk, INIT_EPHEMERAL, INIT_STATIC, new byte[32], m2, 0,
                p2.length));
        assertArrayEquals(p2, HandshakeCore.readResponse(initiator, INIT_EPHEMERAL, INIT_STATIC, PSK, m2, 0,
                p2.length));

        assertEquals(HANDSHAKE_HASH, HEX.formatHex(initiator.hash));
        assertEquals(HANDSHAKE_HASH, HEX.formatHex(responder.hash));

        // transport: messages alternate initiator, responder; each direction counts its nonce from zero
        byte[][] ik = initiator.split();
        byte[][] rk = responder.split();
        assertArrayEquals(ik[0], rk[0]);
        assertArrayEquals(ik[1], rk[1]);
        for (int i = 2; i < MESSAGES.length; i++) {
            byte[] key = i % 2 == 0 ? ik[0] : ik[1];
            byte[] nonce = ChaCha20Poly1305.nonce((i - 2) / 2);
            byte[] payload = HEX.parseHex(MESSAGES[i][0]);
            byte[] sealed = ChaCha20Poly1305.seal(key, nonce, payload, null);
            assertEquals(MESSAGES[i][1], HEX.formatHex(sealed), "message " + i);
        }
    }
}
