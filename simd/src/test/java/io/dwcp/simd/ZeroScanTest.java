package io.dwcp.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZeroScanTest {
    private static final int[] SIZES = {0, 1, 7, 8, 9, 63, 64, 65, 255, 256, 257, 4095, 4096, 4097, (1 << 20) - 1, 1 << 20, (1 << 20) + 1};

    @Test
    void zeroBuffersAreZeroAtEverySize() {
        for (int n : SIZES) {
            for (ByteBuffer b : new ByteBuffer[] {ByteBuffer.allocate(n), ByteBuffer.allocateDirect(n)}) {
                assertTrue(ZeroScan.isAllZero(b), "size " + n);
                assertTrue(ZeroScan.isAllZeroScalar(b), "size " + n);
                assertTrue(ZeroScan.isAllZeroLongs(b, 0, n), "size " + n);
            }
        }
    }

    @Test
    void oneNonZeroByteAnywhereIsFound() {
        for (int n : SIZES) {
            if (n == 0) {
                continue;
            }
            int[] positions = {0, n / 2, n - 1, Math.min(n - 1, 8), Math.min(n - 1, 63), Math.min(n - 1, 256)};
            for (int p : positions) {
                for (ByteBuffer b : new ByteBuffer[] {ByteBuffer.allocate(n), ByteBuffer.allocateDirect(n)}) {
                    b.put(p, (byte) 0x80);
                    assertFalse(ZeroScan.isAllZero(b), "size " + n + " pos " + p);
                    assertEquals(ZeroScan.isAllZeroScalar(b), ZeroScan.isAllZero(b));
                    assertFalse(ZeroScan.isAllZeroLongs(b, 0, n), "size " + n + " pos " + p);
                }
            }
        }
    }

    @Test
    void respectsPositionAndLimitAndMatchesScalarOnRandomSlices() {
        SplittableRandom r = new SplittableRandom(1);
        ByteBuffer b = ByteBuffer.allocateDirect(8192);
        b.put(100, (byte) 1).put(5000, (byte) 1);
        for (int i = 0; i < 2000; i++) {
            int from = r.nextInt(8192);
            int to = from + r.nextInt(8192 - from + 1);
            ByteBuffer s = b.duplicate().position(from).limit(to);
            boolean expected = !(from <= 100 && 100 < to) && !(from <= 5000 && 5000 < to);
            assertEquals(expected, ZeroScan.isAllZero(s), from + ".." + to);
            assertEquals(expected, ZeroScan.isAllZeroScalar(s));
            assertEquals(expected, ZeroScan.isAllZeroLongs(b, from, to), from + ".." + to);
            assertEquals(from, s.position());
        }
    }
}
