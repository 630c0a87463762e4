package io.dwcp.wireguard.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.wireguard.crypto.X25519;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;

class NoiseHandshakeTest {

    private static final int ALICE_INDEX = 0x11223344;
    private static final int BOB_INDEX = 0x55667788;

    @Test
    void roundTripWithoutPsk() throws Exception {
        roundTrip(new Peers(null, null));
    }

    @Test
    void roundTripWithPsk() throws Exception {
        byte[] psk = X25519.generatePrivateKey();
        roundTrip(new Peers(psk, psk.clone()));
    }

    private static void roundTrip(Peers p) throws Exception {
        byte[] init = new byte[InitiationMessage.LENGTH];
        assertTrue(p.noise.createInitiation(p.alice, p.aliceToBob, ALICE_INDEX, init));
        assertEquals(HandshakeState.INITIATION_CREATED, p.aliceToBob.state());
        assertTrue(InitiationMessage.is(init));
        assertEquals(ALICE_INDEX, InitiationMessage.sender(init));

        assertSame(p.bobToAlice, p.noise.consumeInitiation(p.bob, init, p::bobLookup));
        assertEquals(HandshakeState.INITIATION_CONSUMED, p.bobToAlice.state());
        assertEquals(ALICE_INDEX, p.bobToAlice.remoteIndex());

        byte[] resp = new byte[ResponseMessage.LENGTH];
        assertTrue(p.noise.createResponse(p.bobToAlice, BOB_INDEX, resp));
        assertEquals(ALICE_INDEX, ResponseMessage.receiver(resp));
        assertEquals(BOB_INDEX, ResponseMessage.sender(resp));

        assertSame(p.aliceToBob, p.noise.consumeResponse(p.alice, resp,
                i -> i == ALICE_INDEX ? p.aliceToBob : null));
        assertEquals(HandshakeState.RESPONSE_CONSUMED, p.aliceToBob.state());

        // Noise Split: the initiator sends with the first key; both sides must agree with that, not just each other
        byte[] initiatorSendKey = p.aliceToBob.symmetric.split()[0];
        assertArrayEquals(p.aliceToBob.symmetric.hash, p.bobToAlice.symmetric.hash, "transcripts agree");
        Keypair a = p.noise.beginSymmetricSession(p.aliceToBob);
        Keypair b = p.noise.beginSymmetricSession(p.bobToAlice);
        assertNotNull(a);
        assertNotNull(b);
        assertNull(p.noise.beginSymmetricSession(p.aliceToBob), "handshake is spent");
        assertEquals(HandshakeState.ZEROED, p.aliceToBob.state());
        assertEquals(HandshakeState.ZEROED, p.bobToAlice.state());
        assertArrayEquals(new byte[32], p.aliceToBob.symmetric.chainingKey, "handshake secrets wiped");
        assertArrayEquals(new byte[32], p.aliceToBob.localEphemeral);
        assertEquals(0, p.aliceToBob.localIndex());
        assertTrue(a.isInitiator());
        assertFalse(b.isInitiator());
        assertEquals(ALICE_INDEX, a.localIndex());
        assertEquals(BOB_INDEX, a.remoteIndex());
        assertEquals(BOB_INDEX, b.localIndex());
        assertEquals(ALICE_INDEX, b.remoteIndex());
        assertArrayEquals(initiatorSendKey, a.sendKey().getEncoded());
        assertArrayEquals(a.sendKey().getEncoded(), b.receiveKey().getEncoded());
        assertArrayEquals(a.receiveKey().getEncoded(), b.sendKey().getEncoded());
        assertFalse(java.util.Arrays.equals(a.sendKey().getEncoded(), a.receiveKey().getEncoded()));

        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        transport(cipher, a, b, "alice to bob");
        transport(cipher, b, a, "bob to alice");
        transport(cipher, a, b, "");
    }

    private static void transport(Cipher cipher, Keypair from, Keypair to, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer packet = ByteBuffer.allocateDirect(TransportHeader.LENGTH + payload.length + 16);
        long counter = from.nextSendCounter();
        TransportHeader.write(packet, 0, from.remoteIndex(), counter);
        packet.position(TransportHeader.LENGTH);
        from.seal(cipher, counter, ByteBuffer.wrap(payload), packet);
        packet.flip();

        assertEquals(TransportHeader.TYPE, TransportHeader.type(packet, 0));
        assertEquals(to.localIndex(), TransportHeader.receiver(packet, 0));
        long received = TransportHeader.counter(packet, 0);
        ByteBuffer out = ByteBuffer.allocate(payload.length);
        assertEquals(payload.length, to.open(cipher, received, packet.position(TransportHeader.LENGTH), out));
        assertTrue(to.validateCounter(received));
        assertArrayEquals(payload, out.array());
    }

    @Test
    void wrongPskFailsTheResponse() {
        Peers p = new Peers(X25519.generatePrivateKey(), X25519.generatePrivateKey());
        byte[] init = new byte[InitiationMessage.LENGTH];
        assertTrue(p.noise.createInitiation(p.alice, p.aliceToBob, ALICE_INDEX, init));
        assertNotNull(p.noise.consumeInitiation(p.bob, init, p::bobLookup));
        byte[] resp = new byte[ResponseMessage.LENGTH];
        assertTrue(p.noise.createResponse(p.bobToAlice, BOB_INDEX, resp));
        assertNull(p.noise.consumeResponse(p.alice, resp, i -> p.aliceToBob));
        assertEquals(HandshakeState.INITIATION_CREATED, p.aliceToBob.state(), "a forged response changes nothing");
        assertNull(p.noise.beginSymmetricSession(p.aliceToBob));
    }

    @Test
    void replayedInitiationIsRejected() {
        Peers p = new Peers(null, null);
        byte[] init = new byte[InitiationMessage.LENGTH];
        assertTrue(p.noise.createInitiation(p.alice, p.aliceToBob, ALICE_INDEX, init));
        assertNotNull(p.noise.consumeInitiation(p.bob, init, p::bobLookup));
        p.advance(1000);
        assertNull(p.noise.consumeInitiation(p.bob, init.clone(), p::bobLookup), "same timestamp");

        byte[] fresh = new byte[InitiationMessage.LENGTH];
        assertTrue(p.noise.createInitiation(p.alice, p.aliceToBob, ALICE_INDEX + 1, fresh));
        assertNotNull(p.noise.consumeInitiation(p.bob, fresh, p::bobLookup), "a later timestamp is accepted");
        assertEquals(ALICE_INDEX + 1, p.bobToAlice.remoteIndex());
    }

    @Test
    void initiationFloodIsRejected() {
        Peers p = new Peers(null, null);
        byte[] first = new byte[InitiationMessage.LENGTH];
        assertTrue(p.noise.createInitiation(p.alice, p.aliceToBob, ALICE_INDEX, first));
        assertNotNull(p.noise.consumeInitiation(p.bob, first, p::bobLookup));

        // a newer timestamp, but only 10 ms of monotonic time later
        p.wall.updateAndGet(t -> t.plusSeconds(1));
        p.nanos.addAndGet(10_000_000L);
        byte[] second = new byte[InitiationMessage.LENGTH];
        assertTrue(p.noise.createInitiation(p.alice, p.aliceToBob, ALICE_INDEX, second));
        assertNull(p.noise.consumeInitiation(p.bob, second, p::bobLookup));

        p.nanos.addAndGet(15_000_000L);
        assertNotNull(p.noise.consumeInitiation(p.bob, second, p::bobLookup), "25 ms after the first is fine");
    }

    @Test
    void unknownOrMismatchedStaticKeyIsRejected() {
        Peers p = new Peers(null, null);
        byte[] init = new byte[InitiationMessage.LENGTH];
        assertTrue(p.noise.createInitiation(p.alice, p.aliceToBob, ALICE_INDEX, init));
        assertNull(p.noise.consumeInitiation(p.bob, init, key -> null));
        PeerHandshake stranger = new PeerHandshake(p.bob, X25519.publicKey(X25519.generatePrivateKey()), null);
        assertNull(p.noise.consumeInitiation(p.bob, init, key -> stranger));
        // sent to alice's key, opened by someone else: the static key does not decrypt
        LocalIdentity eve = new LocalIdentity(X25519.generatePrivateKey());
        assertNull(p.noise.consumeInitiation(eve, init, p::bobLookup));
        assertNotNull(p.noise.consumeInitiation(p.bob, init, p::bobLookup));
    }

    @Test
    void tamperedMessagesAreRejected() {
        Peers p = new Peers(null, null);
        byte[] init = new byte[InitiationMessage.LENGTH];
        assertTrue(p.noise.createInitiation(p.alice, p.aliceToBob, ALICE_INDEX, init));
        for (int at : new int[] {0, InitiationMessage.EPHEMERAL + 3, InitiationMessage.STATIC + 5,
            InitiationMessage.TIMESTAMP + 20}) {
            byte[] bad = init.clone();
            bad[at] ^= 1;
            assertNull(p.noise.consumeInitiation(p.bob, bad, p::bobLookup), "byte " + at);
        }
        assertNull(p.noise.consumeInitiation(p.bob, java.util.Arrays.copyOf(init, 147), p::bobLookup));
        assertEquals(HandshakeState.ZEROED, p.bobToAlice.state());

        assertNotNull(p.noise.consumeInitiation(p.bob, init, p::bobLookup));
        byte[] resp = new byte[ResponseMessage.LENGTH];
        assertTrue(p.noise.createResponse(p.bobToAlice, BOB_INDEX, resp));
        byte[] bad = resp.clone();
        bad[ResponseMessage.EMPTY] ^= 1;
        assertNull(p.noise.consumeResponse(p.alice, bad, i -> p.aliceToBob));
        assertNull(p.noise.consumeResponse(p.alice, resp, i -> null), "unknown receiver index");
        byte[] otherIndex = resp.clone();
        Le.putInt(otherIndex, ResponseMessage.RECEIVER, ALICE_INDEX + 1);
        assertNull(p.noise.consumeResponse(p.alice, otherIndex, i -> p.aliceToBob), "index of another handshake");
        assertNotNull(p.noise.consumeResponse(p.alice, resp, i -> p.aliceToBob));
        assertNull(p.noise.consumeResponse(p.alice, resp, i -> p.aliceToBob), "a second response is not awaited");
    }

    @Test
    void stateMachineRefusesOutOfOrderCalls() {
        Peers p = new Peers(null, null);
        assertFalse(p.noise.createResponse(p.bobToAlice, BOB_INDEX, new byte[ResponseMessage.LENGTH]));
        assertNull(p.noise.beginSymmetricSession(p.bobToAlice));
        PeerHandshake lowOrder = new PeerHandshake(p.alice, new byte[32], null);
        assertFalse(p.noise.createInitiation(p.alice, lowOrder, 1, new byte[InitiationMessage.LENGTH]));
        assertEquals(HandshakeState.ZEROED, lowOrder.state());
    }
}
