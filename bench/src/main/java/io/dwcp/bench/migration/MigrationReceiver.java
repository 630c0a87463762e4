package io.dwcp.bench.migration;

import io.dwcp.core.framestream.FrameStreamConfig;
import io.dwcp.core.framestream.FrameStreamReader;
import io.dwcp.core.framestream.FrameStreamStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.SocketChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The destination host: reads frames from its socket and rebuilds each chunk in place in its own copy of the
 * guest's memory. A frame under {@link #ROUND_KEY} marks the end of a round; the receiver then reports the
 * round's end time, so the sender can time a round until its last byte is in place, not just sent.
 */
final class MigrationReceiver implements Runnable {
    /** The key of the 8-byte round marker (it never collides with a chunk index). */
    static final long ROUND_KEY = Long.MIN_VALUE;

    /** A round applied at the destination: its number, when it was complete, the reader's figures then. */
    record Done(long round, long nanos, FrameStreamStats stats, Throwable failure) {
    }

    private final SocketChannel channel;
    private final FrameStreamConfig limits;
    private final int chunkBytes;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final BlockingQueue<Done> rounds = new LinkedBlockingQueue<>();

    MigrationReceiver(SocketChannel channel, FrameStreamConfig limits, long memoryBytes, int chunkBytes) {
        this.channel = channel;
        this.limits = limits;
        this.chunkBytes = chunkBytes;
        this.memory = arena.allocate(memoryBytes, 4096);
    }

    MemorySegment memory() {
        return memory;
    }

    BlockingQueue<Done> rounds() {
        return rounds;
    }

    @Override
    public void run() {
        try (FrameStreamReader reader = new FrameStreamReader(channel, limits)) {
            while (reader.next()) {
                if (reader.key() == ROUND_KEY) {
                    long round = reader.read().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                    rounds.add(new Done(round, System.nanoTime(), reader.stats().copy(), null));
                } else {
                    reader.readInto(memory, reader.key() * chunkBytes);
                }
            }
            rounds.add(new Done(-1, System.nanoTime(), reader.stats().copy(), null));
        } catch (Throwable t) {
            rounds.add(new Done(-1, System.nanoTime(), null, t));
        }
    }

    void close() {
        arena.close();
    }
}
