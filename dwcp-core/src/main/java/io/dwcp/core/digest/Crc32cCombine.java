package io.dwcp.core.digest;

/**
 * The CRC32C of two byte runs one after the other from the CRC32C of each and the second's length, without their
 * bytes (zlib's {@code crc32_combine}, for the Castagnoli polynomial): the CRC register is advanced over the
 * second run's length in zeros by multiplying it by x^(8 * length) modulo the polynomial, in GF(2), and the
 * second run's CRC is added. A receiver that knows its basis pages' CRCs can so take a rebuilt block's CRC from the
 * CRCs of its pages, reading only the pages that changed.
 *
 * <p>Values are those of {@link java.util.zip.CRC32C#getValue()} cast to int. Stateless, no allocation.
 */
public final class Crc32cCombine {
    /** The Castagnoli polynomial, bit-reversed. */
    private static final int POLY = 0x82f63b78;
    /** x^(2^k) modulo the polynomial, for k = 0..31. */
    private static final int[] X2N = new int[32];
    /** The operator that advances a CRC over one whole 4 KiB page. */
    private static final int PAGE_SHIFT;

    static {
        int p = 1 << 30; // x^1
        X2N[0] = p;
        for (int k = 1; k < 32; k++) {
            X2N[k] = p = multiply(p, p);
        }
        PAGE_SHIFT = x8n(4096);
    }

    private Crc32cCombine() {
    }

    /** The CRC32C of run A then run B, from A's CRC, B's CRC and B's length in bytes. */
    public static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB <= 0) {
            return crcA;
        }
        return multiply(lengthB == 4096 ? PAGE_SHIFT : x8n(lengthB), crcA) ^ crcB;
    }

    /** a * b modulo the polynomial (bit-reversed representation: bit 31 is x^0). */
    private static int multiply(int a, int b) {
        int m = 1 << 31;
        int p = 0;
        while (true) {
            if ((a & m) != 0) {
                p ^= b;
                if ((a & (m - 1)) == 0) {
                    break;
                }
            }
            m >>>= 1;
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
        }
        return p;
    }

    /** x^(8 * n) modulo the polynomial. */
    private static int x8n(long n) {
        int p = 1 << 31; // x^0
        int k = 3; // x^(2^3) = x^8: one byte
        while (n != 0) {
            if ((n & 1) != 0) {
                p = multiply(X2N[k & 31], p);
            }
            n >>>= 1;
            k++;
        }
        return p;
    }
}
