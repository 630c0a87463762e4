package io.dwcp.wireguard.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.wireguard.crypto.ChaCha20Poly1305;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;

class KeypairTest {

    private static Keypair pair(byte first, byte second) {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        a[0] = first;
        b[0] = second;
        return new Keypair(a, b, 7, 9, true, 0);
    }

    @Test
    void sealOpenDirectAndHeapMatchesByteArrayAead() throws Exception {
        Keypair alice = pair((byte) 1, (byte) 2);
        Keypair bob = new Keypair(bytes(2), bytes(1), 9, 7, false, 0);
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        byte[] payload = "hello through the tunnel".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        ByteBuffer in = ByteBuffer.allocateDirect(64).put(payload).flip();
        ByteBuffer wire = ByteBuffer.allocateDirect(128);
        long counter = alice.nextSendCounter();
        assertEquals(payload.length + 16, alice.seal(cipher, counter, in, wire));
        wire.flip();
        byte[] onWire = new byte[wire.remaining()];
        wire.duplicate().get(onWire);
        assertArrayEquals(ChaCha20Poly1305.seal(bytes(1), ChaCha20Poly1305.nonce(counter), payload, null), onWire);

        ByteBuffer plain = ByteBuffer.allocate(64);
        assertEquals(payload.length, bob.open(cipher, counter, wire, plain));
        assertArrayEquals(payload, java.util.Arrays.copyOf(plain.array(), plain.position()));
        assertTrue(bob.validateCounter(counter));
        assertFalse(bob.validateCounter(counter));
    }

    @Test
    void keepaliveAndTamperedPackets() throws Exception {
        Keypair alice = pair((byte) 1, (byte) 2);
        Keypair bob = new Keypair(bytes(2), bytes(1), 9, 7, false, 0);
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        ByteBuffer wire = ByteBuffer.allocate(16);
        assertEquals(16, alice.seal(cipher, 0, ByteBuffer.allocate(0), wire));
        wire.flip();
        ByteBuffer out = ByteBuffer.allocate(16);
        assertEquals(0, bob.open(cipher, 0, wire.duplicate(), out));

        assertEquals(-1, bob.open(cipher, 1, wire.duplicate(), out), "wrong counter");
        ByteBuffer flipped = ByteBuffer.allocate(16).put(wire.duplicate()).flip();
        flipped.put(3, (byte) (flipped.get(3) ^ 1));
        assertEquals(-1, bob.open(cipher, 0, flipped, out), "flipped tag bit");
        assertEquals(-1, bob.open(cipher, 0, ByteBuffer.allocate(15), out), "shorter than a tag");
        assertEquals(0, out.position());
        assertEquals(-1, alice.open(cipher, 0, wire.duplicate(), out), "own key cannot open");
    }

    @Test
    void sendCounterStopsAtRejectAfterMessages() throws Exception {
        Keypair k = pair((byte) 1, (byte) 2);
        assertEquals(0, k.nextSendCounter());
        assertEquals(1, k.nextSendCounter());
        Field f = Keypair.class.getDeclaredField("sendCounter");
        f.setAccessible(true);
        ((AtomicLong) f.get(k)).set(Keypair.REJECT_AFTER_MESSAGES - 1);
        assertEquals(Keypair.REJECT_AFTER_MESSAGES - 1, k.nextSendCounter());
        assertEquals(-1, k.nextSendCounter());
        assertEquals(-1, k.nextSendCounter());
        assertEquals(Keypair.REJECT_AFTER_MESSAGES, ((AtomicLong) f.get(k)).get());
        assertEquals("18446744073709543423", Long.toUnsignedString(Keypair.REJECT_AFTER_MESSAGES));
    }

    private static byte[] bytes(int first) {
        byte[] b = new byte[32];
        b[0] = (byte) first;
        return b;
    }
}
