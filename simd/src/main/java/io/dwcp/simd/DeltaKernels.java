package io.dwcp.simd;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Objects;

/**
 * Chooses the {@link DeltaKernel} once, at class initialisation, and reports the choice once through
 * {@link System.Logger} (DEBUG, logger {@code io.dwcp.simd}; {@link #choice()} for processes that log it) as lower-case key=value pairs, e.g.
 * {@code simd kernel=vector bits=256 reason=preferred-species}.
 *
 * <p>The vector kernel is chosen when {@code jdk.incubator.vector} is in the boot layer, the preferred species
 * is at least 16 bytes wide and C2 runs: without C2 (e.g. {@code -XX:TieredStopAtLevel=1}, which {@code ./dwcp}
 * uses for trees of small files, or {@code -Xint}) the Vector API is never intrinsified and runs as allocating
 * Java, far slower than the scalar twin. Otherwise the scalar kernel is chosen.
 *
 * <p>System properties, read once: {@code -Ddwcp.simd=scalar} forces the scalar kernel, {@code vector} forces
 * the vector kernel whenever the module is present (for tests and benchmarks), {@code auto} (the default)
 * decides as above; {@code -Ddwcp.simd.bits=128|256|512} caps the vector width (see
 * {@link VectorDeltaKernel}).
 */
public final class DeltaKernels {
    private static final System.Logger LOG = System.getLogger("io.dwcp.simd");
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private static final DeltaKernel CHOSEN = choose();

    private DeltaKernels() {
    }

    /** The kernel chosen at class initialisation (see the class comment). */
    public static DeltaKernel get() {
        return CHOSEN;
    }

    /**
     * The Vector API kernel.
     *
     * @throws UnsupportedOperationException when {@code jdk.incubator.vector} is not in the boot layer
     *         (start the JVM with {@code --add-modules jdk.incubator.vector})
     */
    public static DeltaKernel vector() {
        if (!VectorSupport.modulePresent()) {
            throw new UnsupportedOperationException(VECTOR_MODULE + " is not in the boot layer");
        }
        return VectorDeltaKernel.INSTANCE;
    }

    /** The scalar kernel: plain Java, eight bytes at a time, the reference the vector kernel must match. */
    public static DeltaKernel scalar() {
        return ScalarDeltaKernel.INSTANCE;
    }

    /** Pages in a range of {@code len} bytes: {@code ceil(len / PAGE)}. */
    public static int pageCount(long len) {
        if (len < 0) {
            throw new IllegalArgumentException("len " + len);
        }
        return Math.toIntExact((len + DeltaKernel.PAGE - 1) / DeltaKernel.PAGE);
    }

    /** Words of a page map for a range of {@code len} bytes: {@code ceil(pageCount(len) / 64)}. */
    public static int mapWords(long len) {
        return (pageCount(len) + 63) >>> 6;
    }

    private static DeltaKernel choose() {
        String mode = System.getProperty("dwcp.simd", "auto").trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("scalar") && !mode.equals("vector")) {
            LOG.log(System.Logger.Level.WARNING, "simd ignored=dwcp.simd value=" + mode + " expected=auto|scalar|vector");
            mode = "auto";
        }
        if (mode.equals("scalar")) {
            return chosen(scalar(), "reason=forced-by-property");
        }
        if (!VectorSupport.modulePresent()) {
            return chosen(scalar(), "reason=no-vector-module");
        }
        boolean noC2 = "no-c2".equals(VectorSupport.whyNot());
        try {
            int bytes = VectorDeltaKernel.vectorBytes();
            if (bytes < 16) {
                return chosen(scalar(), "reason=species-too-narrow bits=" + bytes * 8);
            }
            if (noC2 && mode.equals("auto")) {
                return chosen(scalar(), "reason=no-c2 bits=" + bytes * 8);
            }
            return chosen(VectorDeltaKernel.INSTANCE, "bits=" + bytes * 8 + " reason="
                    + (mode.equals("vector") ? "forced-by-property" : VectorDeltaKernel.widthReason()));
        } catch (LinkageError | RuntimeException e) {
            // The module is there but the Vector API would not start: never fail the transfer for a speed-up.
            return chosen(scalar(), "reason=vector-unusable error=" + e.getClass().getSimpleName());
        }
    }

    private static DeltaKernel chosen(DeltaKernel k, String why) {
        choice = "kernel=" + (k instanceof ScalarDeltaKernel ? "scalar" : "vector") + " " + why;
        // DEBUG here: the JDK's default logger would print two lines on every CLI run; processes that log (the
        // server) report choice() in their own format.
        LOG.log(System.Logger.Level.DEBUG, "simd " + choice);
        return k;
    }

    private static volatile String choice; // no initializer: set while CHOSEN is initialized, above

    /** The kernel chosen and why, as {@code kernel=vector bits=512 reason=...} (chooses it if not done yet). */
    public static String choice() {
        get();
        return choice;
    }

    // ---- argument checks shared by both kernels, so they throw the same exceptions for the same calls ----

    static void checkRange(MemorySegment s, long off, long len) {
        Objects.checkFromIndexSize(off, len, s.byteSize());
    }

    static void checkMap(long[] pageMap, long len) {
        int words = mapWords(len);
        if (pageMap.length < words) {
            throw new IndexOutOfBoundsException("pageMap has " + pageMap.length + " words, " + len + " bytes need "
                    + words);
        }
    }

    /**
     * Payload bytes a map asks for over a range of {@code len} bytes: full pages for every set bit, except a
     * short last page.
     *
     * @throws IllegalArgumentException if a bit is set beyond the last page of the range
     */
    static long payloadLength(long[] pageMap, long len) {
        checkMap(pageMap, len);
        int pages = pageCount(len);
        int words = mapWords(len);
        long set = 0;
        for (int w = 0; w < words; w++) {
            set += Long.bitCount(pageMap[w]);
        }
        if ((pages & 63) != 0 && words > 0 && (pageMap[words - 1] >>> (pages & 63)) != 0) {
            throw new IllegalArgumentException("pageMap has bits beyond page " + (pages - 1));
        }
        long bytes = set * DeltaKernel.PAGE;
        boolean lastSet = pages > 0 && (pageMap[(pages - 1) >>> 6] & (1L << (pages - 1))) != 0;
        if (lastSet) {
            bytes -= (long) pages * DeltaKernel.PAGE - len; // the last page is short by this much
        }
        return bytes;
    }
}
