package io.dwcp.engine.receive.data;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.codec.BlockDecoder;
import io.dwcp.core.concurrent.MpmcArrayQueue;
import io.dwcp.core.frame.Codec;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.engine.runtime.EngineRuntime;
import io.dwcp.numa.Slab;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadFactory;
import java.util.zip.CRC32C;

/**
 * The verifying and storing half of a session's data streams. A stream either lands a RAW payload in the part
 * file itself (splice) or reads a payload into a slot; this stage's single thread checks the CRC32C of the
 * reconstructed bytes (read back from where they landed, or decoded from the slot) and hands the block to the
 * session. Socket reads and verification run on different cores. Slots are slab buffers taken once per session
 * and cycled between two queues; the steady state allocates nothing.
 */
public final class BlockPipeline implements Runnable {
    /** Bounds the memory a session holds in flight: at most this many frames. */
    static final int MAX_SLOTS = 8;

    /** One frame in flight: its buffer and the header fields needed to verify and place it. */
    static final class Slot {
        final Slab slab;
        final MemorySegment segment;
        final ByteBuffer payload;
        Codec codec;
        int fileId;
        long offset;
        int length;
        int frameBytes;
        int crc;
        /** The payload is already in the part file (spliced); the slot only carries its header. */
        boolean landed;

        Slot(Slab slab, int capacity) {
            this.slab = slab;
            this.segment = slab.segment().asSlice(0, capacity);
            this.payload = segment.asByteBuffer();
        }
    }

    /** How long a waiting thread parks between looks: a block takes far longer than this to arrive. */
    private static final long PARK_NANOS = 20_000;
    /** How often a reader waiting for a free slot looks whether the session stopped. */
    private static final long STOP_CHECK_NANOS = 100_000_000;

    private final DataSession session;
    private final BlockDecoder decoder;
    private final CRC32C crc = new CRC32C();
    private final Slot[] slots;
    /** Slots waiting for a reader; their handoff allocates nothing (blocking queues allocate on every wait). */
    private final MpmcArrayQueue<Slot> free;
    private final MpmcArrayQueue<Slot> ready;
    private final Thread thread;
    private volatile boolean stopped;

    /** One slot more than two per stream lets every reader fill one while another waits to be verified. */
    public BlockPipeline(DataSession session, int blockSize, int streams, EngineRuntime runtime, ThreadFactory threads)
            throws IOException {
        this.session = session;
        this.decoder = new BlockDecoder(blockSize);
        int n = Math.min(MAX_SLOTS, 2 * streams + 1);
        int capacity = DataFrameDescriptor.maxWireLength(blockSize);
        this.slots = new Slot[n];
        try {
            for (int i = 0; i < n; i++) {
                slots[i] = new Slot(runtime.buffer(capacity), capacity);
            }
        } catch (IOException e) {
            releaseSlots();
            throw e;
        }
        this.free = new MpmcArrayQueue<>(n);
        this.ready = new MpmcArrayQueue<>(n);
        for (Slot s : slots) {
            free.offer(s);
        }
        this.thread = threads.newThread(this);
        thread.start();
    }

    /** A free slot for a reader; waits while the verifier is behind, and gives up once the session stopped. */
    Slot acquire() throws InterruptedException, DwcpException {
        while (true) {
            Slot s = free.pollWaiting(System.nanoTime() + STOP_CHECK_NANOS, PARK_NANOS);
            if (stopped) {
                throw new DwcpException(ErrorCode.IO, "reason=session-ended");
            }
            if (s != null) {
                return s;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** Hands a filled slot to the verifier; there is always room (slots never outnumber the queue). */
    void submit(Slot s) {
        ready.offer(s);
        java.util.concurrent.locks.LockSupport.unpark(thread);
    }

    /** The session ended: stop without storing what is still queued. */
    public void stop() {
        stopped = true;
        thread.interrupt();
    }

    @Override
    public void run() {
        long alloc = ThreadAllocation.current();
        try {
            while (!stopped) {
                Slot s = ready.poll();
                if (s == null) {
                    // Readers unpark this thread when they submit; the timeout only bounds a missed wake-up.
                    java.util.concurrent.locks.LockSupport.parkNanos(this, STOP_CHECK_NANOS);
                    if (Thread.interrupted() && stopped) {
                        return;
                    }
                    continue;
                }
                store(s);
                free.offer(s);
            }
        } catch (DwcpException e) {
            fail(e.code(), e.getMessage());
        } catch (RuntimeException e) {
            fail(ErrorCode.INTERNAL, "reason=internal detail=\"" + e + "\"");
        } finally {
            session.detach(ThreadAllocation.since(alloc));
        }
    }

    /**
     * Gives the slabs back to the pool. The session calls it once every data thread (this one and each stream)
     * has detached: a stream of an ended session may still be inside a read into a slot until then.
     */
    public void release() {
        releaseSlots();
    }

    private void releaseSlots() {
        for (Slot s : slots) {
            if (s != null) {
                s.slab.release();
            }
        }
    }

    private void fail(ErrorCode code, String message) {
        stopped = true;
        // Aborting closes the session's sockets; readers waiting for a slot see the stop within a poll.
        session.abort(code, message);
    }

    private void store(Slot s) throws DwcpException {
        ByteBuffer block;
        if (s.landed) {
            session.readBack(s.fileId, s.offset, s.segment, s.length);
            block = s.payload.clear().limit(s.length);
        } else {
            block = decoder.decode(s.codec, s.payload, s.length);
        }
        crc.reset();
        crc.update(block);
        block.flip();
        if ((int) crc.getValue() != s.crc) {
            session.onBadBlock(s.fileId, s.offset, "bad-crc");
            return;
        }
        if (s.landed) {
            session.onLandedBlock(s.fileId, s.offset, s.segment, s.length, s.frameBytes);
        } else {
            session.onBlock(s.fileId, s.offset, block, s.codec == Codec.ZERO, s.frameBytes);
        }
    }
}
