package io.dwcp.core.framestream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.codec.CompressMode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Round trips through a recorded stream: what each kind of change costs on the wire, and what arrives. */
class FrameStreamTest {
    private static final int PAGE = FrameStreamDescriptor.PAGE_SIZE;
    private static final int H = FrameDeltaDescriptor.HEADER_LENGTH;

    /** Sends the frames in order (key, bytes) and returns the recorded stream and the writer's figures. */
    private static Sent send(FrameStreamConfig config, long[] keys, List<byte[]> frames) throws IOException {
        Recorded rec = new Recorded();
        List<Long> wireAfter = new ArrayList<>();
        FrameStreamStats stats;
        try (FrameStreamWriter w = new FrameStreamWriter(rec.channel, config)) {
            for (int i = 0; i < keys.length; i++) {
                w.send(keys[i], MemorySegment.ofArray(frames.get(i)));
                wireAfter.add(w.stats().wireBytes());
            }
            w.finish();
            stats = w.stats().copy();
        }
        return new Sent(rec.toByteArray(), wireAfter, stats);
    }

    private record Sent(byte[] stream, List<Long> wireAfter, FrameStreamStats stats) {
        long wireOf(int i) {
            return wireAfter.get(i) - (i == 0 ? FrameStreamDescriptor.LENGTH : wireAfter.get(i - 1));
        }
    }

    /** Reads every frame back, checks each against what was sent, returns the reader's figures. */
    private static FrameStreamStats receive(byte[] stream, FrameStreamConfig limits, long[] keys, List<byte[]> frames)
            throws IOException {
        try (FrameStreamReader r = new FrameStreamReader(Recorded.replay(stream), limits)) {
            for (int i = 0; i < keys.length; i++) {
                assertTrue(r.next(), "frame " + i);
                assertEquals(keys[i], r.key());
                assertEquals(frames.get(i).length, r.length());
                assertArrayEquals(frames.get(i), r.read().toArray(ValueLayout.JAVA_BYTE), "frame " + i);
            }
            assertFalse(r.next());
            assertFalse(r.next(), "the end stays the end");
            return r.stats().copy();
        }
    }

    @Test
    void aFewChangedBytesCostFarLessThanTheFrame() throws IOException {
        byte[] v1 = Recorded.random(1, 2 << 20);
        byte[] v2 = v1.clone();
        for (int page : new int[] {3, 200, 511}) {
            v2[page * PAGE + 17] ^= 0x5a;
            v2[page * PAGE + 4000] ^= 0x01;
        }
        for (CompressMode mode : CompressMode.values()) {
            FrameStreamConfig config = Recorded.config(8 << 20, 4 << 20).withCompress(mode);
            Sent sent = send(config, new long[] {7, 7}, List.of(v1, v2));
            long delta = sent.wireOf(1);
            // Three pages and a 64-byte map without LZ4; LZ4 squeezes the XOR's zeros away.
            long bound = mode == CompressMode.OFF ? H + 64 + 3 * PAGE : 400;
            assertTrue(delta <= bound, mode + ": delta of 3 pages cost " + delta);
            assertEquals(1, sent.stats().deltaFrames());
            assertEquals(3, sent.stats().pagesSent() - 512, "all 512 pages of the first, 3 of the second");
            FrameStreamStats got = receive(sent.stream(), config, new long[] {7, 7}, List.of(v1, v2));
            assertEquals(sent.stats().toString(), got.toString(), "both ends count the same");
        }
    }

    @Test
    void anIdenticalFrameCostsItsHeader() throws IOException {
        byte[] v = Recorded.random(2, 100_000);
        FrameStreamConfig config = Recorded.config(1 << 20, 1 << 20);
        Sent sent = send(config, new long[] {1, 1, 1}, List.of(v, v, v));
        assertEquals(H, sent.wireOf(1));
        assertEquals(H, sent.wireOf(2));
        receive(sent.stream(), config, new long[] {1, 1, 1}, List.of(v, v, v));
    }

    @Test
    void framesThatGrowAndShrinkArriveExactly() throws IOException {
        int[] lengths = {10_000, 20_000, 5_000, PAGE, PAGE + 1, 1, 0, 3 * PAGE, 3 * PAGE - 1, 64 * 1024 + 5, 100, 70_000};
        SplittableRandom rnd = new SplittableRandom(3);
        List<byte[]> frames = new ArrayList<>();
        byte[] prev = new byte[0];
        for (int len : lengths) {
            byte[] f = new byte[len];
            System.arraycopy(prev, 0, f, 0, Math.min(len, prev.length));
            for (int i = prev.length; i < len; i++) {
                f[i] = (byte) rnd.nextInt();
            }
            if (len > 10) {
                f[rnd.nextInt(len)] ^= 1;
            }
            frames.add(f);
            prev = f;
        }
        long[] keys = new long[lengths.length];
        java.util.Arrays.fill(keys, -42L);
        FrameStreamConfig config = Recorded.config(1 << 20, 1 << 20);
        Sent sent = send(config, keys, frames);
        // Not every step is a delta: a frame that changed in every page, or the empty one, goes whole.
        assertTrue(sent.stats().deltaFrames() >= lengths.length / 2, sent.stats().toString());
        // Growing from 10,000 to 20,000 bytes with one byte changed: the changed page and the new pages travel.
        assertTrue(sent.wireOf(1) < 20_000 - 10_000 + 2 * PAGE + H + 8, "grow cost " + sent.wireOf(1));
        // Shrinking to 5,000 bytes with one byte changed: at most the two pages left.
        assertTrue(sent.wireOf(2) <= H + 8 + 5_000, "shrink cost " + sent.wireOf(2));
        receive(sent.stream(), config, keys, frames);
    }

    @Test
    void zeroPagesOfAWholeFrameDoNotTravel() throws IOException {
        byte[] f = new byte[1 << 20];
        byte[] noise = Recorded.random(4, 8 * PAGE);
        System.arraycopy(noise, 0, f, 100 * PAGE, noise.length);
        FrameStreamConfig config = Recorded.config(0, 1 << 20).withCompress(CompressMode.OFF);
        Sent sent = send(config, new long[] {9}, List.of(f));
        assertEquals(H + 32 + 8 * PAGE, sent.wireOf(0), "a map of 256 pages and the 8 that are not zero");
        assertEquals(1, sent.stats().wholeFrames());
        receive(sent.stream(), config, new long[] {9}, List.of(f));
    }

    @Test
    void anEvictedKeyGoesWholeAndBothEndsSaySo() throws IOException {
        int len = 16 * 1024;
        FrameStreamConfig config = Recorded.config(3 * len, 1 << 20).withCompress(CompressMode.OFF);
        long[] keys = {1, 2, 3, 4, 1, 4};
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            frames.add(Recorded.random(keys[i], len)); // the same bytes again for the same key
        }
        Recorded rec = new Recorded();
        try (FrameStreamWriter w = new FrameStreamWriter(rec.channel, config)) {
            for (int i = 0; i < 4; i++) {
                w.send(keys[i], MemorySegment.ofArray(frames.get(i)));
            }
            assertEquals(1, w.stats().evictions(), "key 1 made room for key 4");
            assertFalse(w.caches(1));
            w.send(1, MemorySegment.ofArray(frames.get(4)));
            assertEquals(2, w.stats().evictions(), "and key 1 for key 2's room");
            w.send(4, MemorySegment.ofArray(frames.get(5)));
            w.finish();
            assertEquals(5, w.stats().wholeFrames(), "1, 2, 3, 4 and 1 again after its eviction");
            assertEquals(1, w.stats().deltaFrames(), "4 again, still cached");
        }
        try (FrameStreamReader r = new FrameStreamReader(Recorded.replay(rec.toByteArray()), config)) {
            boolean[] delta = new boolean[keys.length];
            for (int i = 0; i < keys.length; i++) {
                assertTrue(r.next());
                delta[i] = r.isDelta();
                assertArrayEquals(frames.get(i), r.read().toArray(ValueLayout.JAVA_BYTE));
            }
            assertArrayEquals(new boolean[] {false, false, false, false, false, true}, delta);
            assertEquals(2, r.stats().evictions());
            assertFalse(r.caches(2));
            assertTrue(r.caches(1) && r.caches(3) && r.caches(4));
        }
    }

    @Test
    void aFrameLargerThanTheWholeBudgetIsNotCachedAndItsOldEntryGoes() throws IOException {
        FrameStreamConfig config = Recorded.config(2 * PAGE, 1 << 20);
        byte[] small = Recorded.random(5, PAGE);
        byte[] big = Recorded.random(6, 3 * PAGE);
        Sent sent = send(config, new long[] {5, 5, 5}, List.of(small, big, small));
        assertEquals(0, sent.stats().deltaFrames());
        assertEquals(1, sent.stats().evictions());
        receive(sent.stream(), config, new long[] {5, 5, 5}, List.of(small, big, small));
    }

    @Test
    void aFrameOverTheLimitIsRefusedAndTheStreamGoesOn() throws IOException {
        FrameStreamConfig config = Recorded.config(1 << 20, PAGE);
        Recorded rec = new Recorded();
        byte[] ok = Recorded.random(7, PAGE);
        try (FrameStreamWriter w = new FrameStreamWriter(rec.channel, config)) {
            DwcpException e = assertThrows(DwcpException.class, () -> w.send(1, MemorySegment.ofArray(new byte[PAGE + 1])));
            assertEquals(ErrorCode.LIMIT, e.code());
            assertTrue(e.getMessage().contains("reason=too-long"), e.getMessage());
            w.send(2, MemorySegment.ofArray(ok));
        }
        receive(rec.toByteArray(), config, new long[] {2}, List.of(ok));
    }

    @Test
    void readIntoPutsTheFrameWhereTheCallerSaysAndASmallDestinationLeavesItPending() throws IOException {
        byte[] v = Recorded.random(8, 3 * PAGE + 9);
        FrameStreamConfig config = Recorded.config(1 << 20, 1 << 20);
        Sent sent = send(config, new long[] {3}, List.of(v));
        try (FrameStreamReader r = new FrameStreamReader(Recorded.replay(sent.stream()), config)) {
            assertTrue(r.next());
            assertThrows(IllegalStateException.class, r::next, "the frame must be read first");
            byte[] small = new byte[v.length];
            assertThrows(IndexOutOfBoundsException.class, () -> r.readInto(MemorySegment.ofArray(small), 1));
            byte[] dst = new byte[v.length + 10];
            r.readInto(MemorySegment.ofArray(dst), 10);
            assertArrayEquals(v, java.util.Arrays.copyOfRange(dst, 10, dst.length));
            assertFalse(r.next());
        }
    }
}
