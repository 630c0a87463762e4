package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** MSG_ZEROCOPY over loopback: no reuse before the completion, and the switch to copying is counted. */
class ZeroCopySenderTest {
    private static final int SIZE = 2 << 20;

    @Test
    void aBufferIsNotReusableBeforeItsCompletionAndLoopbackSwitchesToCopy() throws Exception {
        IoPaths paths = IoPaths.select(IoMode.AUTO);
        assumeTrue(paths.msgZerocopy(), "MSG_ZEROCOPY unavailable: " + paths.describe());
        try (Loopback l = Loopback.open(paths); Arena arena = Arena.ofShared()) {
            l.client().setSendBufferSize(4 * SIZE);
            // small enough that most of the buffer stays queued, big enough for a 32 KiB loopback segment
            l.server().setReceiveBufferSize(64 * 1024);
            ZeroCopySender zc = paths.zeroCopySender(l.client(), 4, ZeroCopySender.DEFAULT_THRESHOLD);
            assertTrue(zc.usingZeroCopy());
            MemorySegment a = arena.allocate(SIZE, 4096);
            for (int i = 0; i < SIZE; i += 4) {
                a.set(ValueLayout.JAVA_INT, i, i);
            }
            long ticket = zc.send(a, 0, SIZE);

            // the receiver reads nothing yet: most of a is still queued, so the kernel still uses its pages
            assertNull(zc.awaitReclaim(300));
            assertFalse(zc.isCompleted(ticket));
            assertEquals(1, zc.inFlight());

            MemorySegment got = arena.allocate(SIZE);
            CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
                try {
                    l.server().readFully(got, 0, SIZE);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertSame(a, zc.awaitReclaim(10_000), "the completion hands the buffer back");
            assertTrue(zc.isCompleted(ticket));
            reading.get(10, TimeUnit.SECONDS);
            assertEquals(-1L, got.mismatch(a));

            ZeroCopyStats s = zc.stats();
            assertTrue(s.zerocopySends() >= 1 && s.completions() >= s.zerocopySends(), s.toString());
            assertTrue(s.copied() >= 1, "loopback always copies: " + s);
            assertEquals(1, s.switchedToCopy(), s.toString());
            assertFalse(zc.usingZeroCopy());

            // after the switch: plain sends, buffers come straight back, no more zero-copy sends
            MemorySegment b = arena.allocate(64 * 1024);
            zc.send(b, 0, (int) b.byteSize());
            assertSame(b, zc.reclaim());
            assertEquals(s.zerocopySends(), zc.stats().zerocopySends());
            l.server().readFully(got, 0, b.byteSize());
            assertTrue(zc.stats().toString().startsWith("zerocopy_sends="));
        }
    }

    @Test
    void withoutZeroCopyEveryBufferComesStraightBack() throws Exception {
        IoPaths paths = IoPaths.select(IoMode.PORTABLE);
        try (Loopback l = Loopback.open(paths); Arena arena = Arena.ofShared()) {
            ZeroCopySender zc = paths.zeroCopySender(l.client(), 2, 0);
            assertFalse(zc.usingZeroCopy());
            MemorySegment a = arena.allocate(100_000);
            zc.send(a, 0, 100_000);
            assertSame(a, zc.reclaim());
            l.server().readFully(arena.allocate(100_000), 0, 100_000);
            assertEquals(new ZeroCopyStats(0, 0, 0, 0), zc.stats());
        }
    }
}
