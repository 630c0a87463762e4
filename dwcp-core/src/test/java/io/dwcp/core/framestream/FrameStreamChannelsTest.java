package io.dwcp.core.framestream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End to end over live channels, a writer thread and a reader thread: a memory of 64 chunks sent whole, then
 * rounds of sparse changes as deltas; the reader rebuilds each chunk in place in its own copy, which must end
 * equal to the sender's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FrameStreamChannelsTest {
    private static final int CHUNK = 256 * 1024;
    private static final int CHUNKS = 64;
    private static final int ROUNDS = 6;

    @Test
    void overALoopbackSocket() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel out = SocketChannel.open(server.getLocalAddress()); SocketChannel in = server.accept()) {
                run(out, in);
            }
        }
    }

    @Test
    void overAPipe() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel out = pipe.sink(); Pipe.SourceChannel in = pipe.source()) {
            run(out, in);
        }
    }

    private static void run(WritableByteChannel out, ReadableByteChannel in) throws Exception {
        FrameStreamConfig config = Recorded.config((long) CHUNK * CHUNKS, CHUNK);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment source = arena.allocate((long) CHUNK * CHUNKS);
            MemorySegment copy = arena.allocate((long) CHUNK * CHUNKS);
            byte[] seed = Recorded.random(99, (int) source.byteSize());
            MemorySegment.copy(seed, 0, source, ValueLayout.JAVA_BYTE, 0, seed.length);

            CompletableFuture<FrameStreamStats> sender = CompletableFuture.supplyAsync(() -> {
                SplittableRandom rnd = new SplittableRandom(5);
                try (FrameStreamWriter w = new FrameStreamWriter(out, config)) {
                    for (int round = 0; round < ROUNDS; round++) {
                        boolean[] dirty = new boolean[CHUNKS];
                        if (round == 0) {
                            java.util.Arrays.fill(dirty, true);
                        } else {
                            for (int i = 0; i < 200; i++) {
                                long at = rnd.nextLong(source.byteSize() - 8);
                                source.set(ValueLayout.JAVA_LONG_UNALIGNED, at, rnd.nextLong());
                                dirty[(int) (at / CHUNK)] = true;
                                dirty[(int) ((at + 7) / CHUNK)] = true;
                            }
                        }
                        for (int c = 0; c < CHUNKS; c++) {
                            if (dirty[c]) {
                                w.send(c, source, (long) c * CHUNK, CHUNK);
                            }
                        }
                    }
                    w.finish();
                    return w.stats().copy();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });

            FrameStreamStats got;
            try (FrameStreamReader r = new FrameStreamReader(in, config)) {
                while (r.next()) {
                    assertTrue(r.key() >= 0 && r.key() < CHUNKS);
                    r.readInto(copy, r.key() * CHUNK);
                }
                assertFalse(r.next());
                got = r.stats().copy();
            }
            FrameStreamStats sent = sender.get(30, TimeUnit.SECONDS);
            assertEquals(-1, source.mismatch(copy), "the copy equals the source");
            assertEquals(sent.toString(), got.toString());
            assertEquals(CHUNKS, sent.wholeFrames());
            assertTrue(sent.deltaFrames() > 0, sent.toString());
            long deltaWire = sent.wireBytes() - (long) CHUNK * CHUNKS - CHUNKS * 48L;
            assertTrue(deltaWire < sent.deltaFrames() * 3L * 4096, "deltas cost " + deltaWire + ": " + sent);
        }
    }
}
