package io.dwcp.simd;

import java.lang.foreign.MemorySegment;

/**
 * XOR-delta kernels over 4 KiB pages: the sender encodes a changed block as the XOR of the receiver's basis
 * and the new bytes, keeping only pages whose XOR is not all zero; the receiver XORs those pages back into its
 * copy of the basis. Two implementations exist and must agree bit for bit: {@link DeltaKernels#vector()}
 * (Vector API) and {@link DeltaKernels#scalar()} (plain Java, the reference twin and the fallback).
 *
 * <p>Every method works on native segments and on heap segments over {@code byte[]}. Offsets and lengths are
 * in bytes and are checked before anything is written: a call that would go out of bounds throws
 * {@link IndexOutOfBoundsException} and leaves every output untouched. No method allocates once compiled.
 * Implementations are stateless and safe to share between threads (on disjoint outputs).
 */
public interface DeltaKernel {
    /** Page size of the delta: the unit that is either skipped or sent whole. */
    int PAGE = 4096;

    /** Name for logs: {@code "vector(256-bit)"} (the lane width actually used) or {@code "scalar"}. */
    String name();

    /**
     * Fused XOR-delta encode of {@code target[tOff, tOff+len)} against {@code basis[bOff, bOff+len)}.
     *
     * <p>One pass computes {@code basis ^ target} page by page (4 KiB pages, the last may be short). A page
     * whose XOR is all zero is skipped; every other page's XOR bytes are appended to {@code out} starting at
     * {@code outOff} (contiguous, in page order) and bit {@code p} of the map is set, where {@code p} is the
     * page index within the range and its bit is bit {@code p % 64} of {@code pageMap[p / 64]}. The words
     * {@code pageMap[0, DeltaKernels.mapWords(len))} are overwritten whole (stale bits are cleared); words
     * after them are not touched.
     *
     * <p>{@code out} must have room for {@code len} bytes from {@code outOff}, even though fewer are usually
     * written: pages are written before it is known whether they are zero, and then overwritten by the next
     * page. {@code out} must not overlap {@code basis} or {@code target}.
     *
     * @return bytes written to {@code out} (a multiple of {@link #PAGE}, plus the short last page if sent)
     */
    long encode(MemorySegment basis, long bOff, MemorySegment target, long tOff, long len,
                MemorySegment out, long outOff, long[] pageMap);

    /**
     * Applies an encoded delta in place: for each set bit {@code p} (in increasing order),
     * {@code data[dOff + p*PAGE, ...)} is XORed with the next page of {@code payload} (the last page of the
     * range may be short). The inverse of {@link #encode}: applying {@code encode(basis, target)} to a copy of
     * {@code basis} yields {@code target}.
     *
     * @return payload bytes consumed
     * @throws IllegalArgumentException if {@code pageMap} has a bit set for a page beyond {@code len}
     */
    long apply(MemorySegment data, long dOff, long len, MemorySegment payload, long pOff, long[] pageMap);

    /**
     * Index of the first byte where {@code a[aOff..]} and {@code b[bOff..]} differ within {@code len}, relative
     * to the offsets, or -1 when the ranges are equal (the semantics of {@link MemorySegment#mismatch} on two
     * ranges of the same length).
     */
    long firstDifference(MemorySegment a, long aOff, MemorySegment b, long bOff, long len);

    /** XORs {@code src[sOff, sOff+len)} into {@code dst[dOff, dOff+len)} ({@code dst ^= src}). */
    void xorInto(MemorySegment dst, long dOff, MemorySegment src, long sOff, long len);

    /** {@link #encode} of two whole arrays of the same length; {@code out.length >= target.length}. */
    default long encode(byte[] basis, byte[] target, byte[] out, long[] pageMap) {
        if (basis.length != target.length) {
            throw new IllegalArgumentException("basis " + basis.length + " bytes, target " + target.length);
        }
        return encode(MemorySegment.ofArray(basis), 0, MemorySegment.ofArray(target), 0, target.length,
                MemorySegment.ofArray(out), 0, pageMap);
    }

    /** {@link #apply} to a whole array from the start of {@code payload}. */
    default long apply(byte[] data, byte[] payload, long[] pageMap) {
        return apply(MemorySegment.ofArray(data), 0, data.length, MemorySegment.ofArray(payload), 0, pageMap);
    }
}
