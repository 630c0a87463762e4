package io.dwcp.wireguard.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.wireguard.crypto.Blake2s;
import io.dwcp.wireguard.crypto.X25519;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CookieTest {

    private final Peers p = new Peers(null, null);
    private final CookieGenerator aliceMacs = new CookieGenerator(p.bob.publicKey(), p.nanos::get);
    private final CookieChecker bobChecker = new CookieChecker(p.bob, p.nanos::get, new SecureRandom());
    private final byte[] aliceAddress = CookieChecker.sourceBytes(new InetSocketAddress("192.0.2.1", 51820));

    private byte[] initiation() {
        byte[] init = new byte[InitiationMessage.LENGTH];
        assertTrue(p.noise.createInitiation(p.alice, p.aliceToBob, 1, init));
        aliceMacs.addMacs(init);
        return init;
    }

    @Test
    void mac1IsKeyedBlake2s128OfTheReceiversLabelledKey() {
        byte[] init = initiation();
        byte[] key = Blake2s.hash("mac1----".getBytes(StandardCharsets.US_ASCII), p.bob.publicKey());
        byte[] mac1 = Blake2s.hash(16, key, Arrays.copyOf(init, InitiationMessage.MAC1));
        assertArrayEquals(mac1, Arrays.copyOfRange(init, InitiationMessage.MAC1, InitiationMessage.MAC2));
        assertArrayEquals(new byte[16], Arrays.copyOfRange(init, InitiationMessage.MAC2, InitiationMessage.LENGTH),
                "no cookie yet, no mac2");
        assertTrue(bobChecker.checkMac1(init));
    }

    @Test
    void forgedMac1IsRejected() {
        byte[] init = initiation();
        byte[] bad = init.clone();
        bad[InitiationMessage.SENDER] ^= 1;
        assertFalse(bobChecker.checkMac1(bad), "body changed after mac1");
        bad = init.clone();
        bad[InitiationMessage.MAC1 + 15] ^= 1;
        assertFalse(bobChecker.checkMac1(bad), "mac1 changed");
        CookieChecker someoneElse = new CookieChecker(new LocalIdentity(X25519.generatePrivateKey()));
        assertFalse(someoneElse.checkMac1(init), "mac1 made for bob's key");
        assertFalse(bobChecker.checkMac1(Arrays.copyOf(init, 100)));
    }

    @Test
    void underLoadTheCookieRoundTripEarnsMac2() {
        byte[] init = initiation();
        assertTrue(bobChecker.checkMac1(init));
        assertFalse(bobChecker.checkMac2(init, aliceAddress));

        byte[] reply = new byte[CookieReplyMessage.LENGTH];
        bobChecker.createReply(init, InitiationMessage.sender(init), aliceAddress, reply);
        assertTrue(CookieReplyMessage.is(reply));
        assertEquals(1, CookieReplyMessage.receiver(reply));

        byte[] tampered = reply.clone();
        tampered[CookieReplyMessage.COOKIE + 3] ^= 1;
        assertFalse(aliceMacs.consumeReply(tampered));
        assertTrue(aliceMacs.consumeReply(reply));

        p.advance(1000);
        byte[] second = initiation();
        assertFalse(Arrays.equals(new byte[16],
                Arrays.copyOfRange(second, InitiationMessage.MAC2, InitiationMessage.LENGTH)));
        assertTrue(bobChecker.checkMac1(second));
        assertTrue(bobChecker.checkMac2(second, aliceAddress));
        byte[] elsewhere = CookieChecker.sourceBytes(new InetSocketAddress("192.0.2.1", 51821));
        assertFalse(bobChecker.checkMac2(second, elsewhere), "cookie is bound to the source address");
        assertNotNull(p.noise.consumeInitiation(p.bob, second, p::bobLookup));

        // two minutes on, bob's secret has expired and alice's cookie is stale: no mac2, and old ones fail
        p.advance(121_000);
        assertFalse(bobChecker.checkMac2(second, aliceAddress));
        byte[] third = initiation();
        assertArrayEquals(new byte[16], Arrays.copyOfRange(third, InitiationMessage.MAC2, InitiationMessage.LENGTH));
    }

    @Test
    void replyMustAnswerTheLastMac1Sent() {
        byte[] reply = new byte[CookieReplyMessage.LENGTH];
        byte[] init = new byte[InitiationMessage.LENGTH];
        assertTrue(p.noise.createInitiation(p.alice, p.aliceToBob, 1, init));
        new CookieGenerator(p.bob.publicKey()).addMacs(init);
        bobChecker.createReply(init, 1, aliceAddress, reply);
        assertFalse(aliceMacs.consumeReply(reply), "nothing sent yet");

        byte[] first = initiation();
        bobChecker.createReply(first, 1, aliceAddress, reply);
        p.advance(1000);
        initiation();
        assertFalse(aliceMacs.consumeReply(reply), "reply to an older message");
    }

    @Test
    void sourceBytesAreIpThenLittleEndianPort() throws Exception {
        assertEquals("c00002016cca", HexFormat.of().formatHex(
                CookieChecker.sourceBytes(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 51820))));
        assertEquals(18, CookieChecker.sourceBytes(new InetSocketAddress("2001:db8::1", 1)).length);
    }
}
