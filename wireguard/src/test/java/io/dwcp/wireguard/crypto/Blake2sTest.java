package io.dwcp.wireguard.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Blake2sTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc7693AppendixBAbc() {
        byte[] d = Blake2s.hash("abc".getBytes(StandardCharsets.US_ASCII));
        assertEquals("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982", HEX.formatHex(d));
    }

    @Test
    void rfc7693AppendixESelfTest() {
        int[] mdLen = {16, 20, 28, 32};
        int[] inLen = {0, 3, 64, 65, 255, 1024};
        Blake2s grand = new Blake2s(32);
        for (int outlen : mdLen) {
            for (int inlen : inLen) {
                byte[] in = selftestSeq(inlen, inlen);
                grand.update(Blake2s.hash(outlen, null, in));
                byte[] key = selftestSeq(outlen, outlen);
                grand.update(Blake2s.hash(outlen, key, in));
            }
        }
        assertEquals("6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe",
                HEX.formatHex(grand.digest()));
    }

    @Test
    void incrementalMatchesOneShotForEverySplit() {
        Random r = new Random(7693);
        for (int len : new int[] {0, 1, 63, 64, 65, 127, 128, 129, 300}) {
            byte[] data = new byte[len];
            r.nextBytes(data);
            byte[] key = new byte[r.nextInt(33)];
            r.nextBytes(key);
            byte[] expected = Blake2s.hash(32, key, data);
            Blake2s h = new Blake2s(32, key);
            for (int split = 0; split <= len; split++) {
                h.update(data, 0, split);
                h.update(data, split, len - split);
                assertArrayEquals(expected, h.digest(), "len=" + len + " split=" + split);
            }
            // byte-at-a-time exercises the deferred compression of a full buffer on every boundary
            for (int i = 0; i < len; i++) {
                h.update(data, i, 1);
            }
            assertArrayEquals(expected, h.digest(), "len=" + len + " bytewise");
        }
    }

    @Test
    void rejectsBadLengths() {
        assertThrows(IllegalArgumentException.class, () -> new Blake2s(0));
        assertThrows(IllegalArgumentException.class, () -> new Blake2s(33));
        assertThrows(IllegalArgumentException.class, () -> new Blake2s(32, new byte[33]));
    }

    // RFC 7693 Appendix E: deterministic Fibonacci-like generator
    private static byte[] selftestSeq(int len, int seed) {
        byte[] out = new byte[len];
        int a = 0xDEAD4BAD * seed;
        int b = 1;
        for (int i = 0; i < len; i++) {
            int t = a + b;
            a = b;
            b = t;
            out[i] = (byte) (t >>> 24);
        }
        return out;
    }
}
