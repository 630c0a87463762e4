package io.dwcp.core.framestream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.codec.CompressMode;
import io.dwcp.simd.DeltaKernel;
import io.dwcp.simd.DeltaKernels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many keys, random changes of every kind (sparse bytes, whole pages, zero pages, growth, shrinking, new
 * frames, no change), lengths around page and map-word boundaries, budgets from none to roomy, each compress
 * mode, both kernels on either side: the reader always rebuilds exactly what was sent, and both ends' caches
 * hold the same keys.
 */
class FrameStreamPropertyTest {
    private static final int PAGE = FrameStreamDescriptor.PAGE_SIZE;
    private static final int MAX = 70 * PAGE + 100;
    private static final int KEYS = 24;
    private static final int STEPS = 400;
    private static final int[] EDGES = {0, 1, 7, PAGE - 1, PAGE, PAGE + 1, 2 * PAGE, 64 * PAGE - 1, 64 * PAGE,
        64 * PAGE + 1, 65 * PAGE, MAX};
    private static final long[] BUDGETS = {0, 16 * PAGE, 64 * PAGE, 256 * PAGE, 4096 * PAGE};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void theReaderRebuildsExactlyWhatWasSent(long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        FrameStreamConfig config = new FrameStreamConfig(BUDGETS[(int) (seed % BUDGETS.length)], MAX,
                CompressMode.values()[(int) (seed % 3)]);
        DeltaKernel[] kernels = {DeltaKernels.vector(), DeltaKernels.scalar()};
        DeltaKernel sending = kernels[(int) (seed & 1)];
        DeltaKernel receiving = kernels[(int) ((seed >> 1) & 1)];

        byte[][] model = new byte[KEYS][];
        List<Long> keys = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        Recorded rec = new Recorded();
        FrameStreamWriter w = new FrameStreamWriter(rec.channel, config, sending);
        try (Arena arena = Arena.ofConfined()) {
            // Frames are sent from a native segment at varying offsets as well as from byte arrays.
            MemorySegment staging = arena.allocate(MAX + 4096L);
            for (int step = 0; step < STEPS; step++) {
                int k = rnd.nextInt(KEYS);
                long key = k * 0x1000_0000_0001L - 5; // spread, some negative
                byte[] next = change(model[k], rnd);
                model[k] = next;
                if (rnd.nextBoolean()) {
                    w.send(key, MemorySegment.ofArray(next));
                } else {
                    int off = rnd.nextInt(4096);
                    MemorySegment.copy(next, 0, staging, ValueLayout.JAVA_BYTE, off, next.length);
                    w.send(key, staging, off, next.length);
                }
                keys.add(key);
                sent.add(next);
            }
        }
        w.finish();

        try (FrameStreamReader r = new FrameStreamReader(Recorded.replay(rec.toByteArray()), config, receiving)) {
            for (int i = 0; i < sent.size(); i++) {
                assertTrue(r.next());
                assertEquals(keys.get(i), r.key());
                assertArrayEquals(sent.get(i), r.read().toArray(ValueLayout.JAVA_BYTE), "seed " + seed + " step " + i);
            }
            assertFalse(r.next());
            assertEquals(w.stats().toString(), r.stats().toString(), "both ends count the same");
            assertEquals(w.cachedFrames(), r.cachedFrames());
            for (long key : keys) {
                assertEquals(w.caches(key), r.caches(key), "key " + key);
            }
        } finally {
            w.close();
        }
        if (config.cacheBytes() >= 4096 * PAGE) { // room for every key: most changes go as deltas
            assertTrue(w.stats().deltaFrames() > STEPS / 3, w.stats().toString());
        }
        if (config.cacheBytes() == 0) {
            assertEquals(0, w.stats().deltaFrames());
        }
    }

    /** The next version of a frame: most often a small change, sometimes a new length or new bytes. */
    private static byte[] change(byte[] prev, SplittableRandom rnd) {
        if (prev == null || rnd.nextInt(12) == 0) {
            return fresh(rnd.nextBoolean() ? EDGES[rnd.nextInt(EDGES.length)] : rnd.nextInt(MAX + 1), rnd);
        }
        byte[] f = prev.clone();
        switch (rnd.nextInt(7)) {
            case 0 -> { // a few bytes
                for (int i = 0, n = 1 + rnd.nextInt(8); i < n && f.length > 0; i++) {
                    f[rnd.nextInt(f.length)] ^= (byte) (1 + rnd.nextInt(255));
                }
            }
            case 1 -> { // whole pages rewritten
                for (int i = 0, n = 1 + rnd.nextInt(4); i < n && f.length > 0; i++) {
                    int p = rnd.nextInt(FrameDeltaDescriptor.pageCount(f.length));
                    byte[] noise = Recorded.random(rnd.nextLong(), Math.min(PAGE, f.length - p * PAGE));
                    System.arraycopy(noise, 0, f, p * PAGE, noise.length);
                }
            }
            case 2 -> { // pages zeroed
                if (f.length > 0) {
                    int p = rnd.nextInt(FrameDeltaDescriptor.pageCount(f.length));
                    Arrays.fill(f, p * PAGE, Math.min(f.length, (p + 1 + rnd.nextInt(3)) * PAGE), (byte) 0);
                }
            }
            case 3 -> { // grows: new bytes, or zeros
                int len = Math.min(MAX, f.length + 1 + rnd.nextInt(3 * PAGE));
                f = Arrays.copyOf(f, len);
                if (rnd.nextBoolean()) {
                    byte[] noise = Recorded.random(rnd.nextLong(), len - prev.length);
                    System.arraycopy(noise, 0, f, prev.length, noise.length);
                }
            }
            case 4 -> f = Arrays.copyOf(f, rnd.nextInt(f.length + 1)); // shrinks
            case 5 -> f = Arrays.copyOf(f, EDGES[rnd.nextInt(EDGES.length)]); // cut or zero-extended to an edge
            default -> {
            } // unchanged
        }
        return f;
    }

    private static byte[] fresh(int len, SplittableRandom rnd) {
        byte[] f = Recorded.random(rnd.nextLong(), len);
        if (rnd.nextBoolean() && len > 0) { // some zero pages in it
            int p = rnd.nextInt(FrameDeltaDescriptor.pageCount(len));
            Arrays.fill(f, p * PAGE, Math.min(len, p * PAGE + 2 * PAGE), (byte) 0);
        }
        return f;
    }
}
