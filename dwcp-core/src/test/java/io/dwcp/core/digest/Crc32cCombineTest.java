package io.dwcp.core.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class Crc32cCombineTest {
    private static int crc(byte[] b, int from, int to) {
        CRC32C c = new CRC32C();
        c.update(b, from, to - from);
        return (int) c.getValue();
    }

    @Test
    void combiningTheCrcsOfTwoRunsGivesTheCrcOfBoth() {
        SplittableRandom r = new SplittableRandom(42);
        byte[] data = new byte[3 * 65_536 + 123];
        r.nextBytes(data);
        int[] cuts = {0, 1, 7, 8, 4095, 4096, 4097, 65_536, 100_000, data.length - 1, data.length};
        for (int cut : cuts) {
            assertEquals(crc(data, 0, data.length),
                    Crc32cCombine.combine(crc(data, 0, cut), crc(data, cut, data.length), data.length - cut), "cut=" + cut);
        }
        for (int i = 0; i < 200; i++) {
            int a = r.nextInt(data.length + 1);
            int b = a + r.nextInt(data.length - a + 1);
            assertEquals(crc(data, 0, b), Crc32cCombine.combine(crc(data, 0, a), crc(data, a, b), b - a),
                    "a=" + a + " b=" + b);
        }
    }

    @Test
    void aBlockFoldsPageByPageIncludingAShortLastPage() {
        SplittableRandom r = new SplittableRandom(7);
        for (int length : new int[] {4096, 1 << 20, (1 << 20) - 1, 5000, 1}) {
            byte[] block = new byte[length];
            r.nextBytes(block);
            int folded = 0;
            for (int at = 0; at < length; at += 4096) {
                int end = Math.min(length, at + 4096);
                int page = crc(block, at, end);
                folded = at == 0 ? page : Crc32cCombine.combine(folded, page, end - at);
            }
            assertEquals(crc(block, 0, length), folded, "length=" + length);
        }
    }

    @Test
    void anEmptySecondRunChangesNothing() {
        assertEquals(0x12345678, Crc32cCombine.combine(0x12345678, 0, 0));
    }
}
