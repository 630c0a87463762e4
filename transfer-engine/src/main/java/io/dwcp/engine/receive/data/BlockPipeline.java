package io.dwcp.engine.receive.data;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.codec.BlockDecoder;
import io.dwcp.core.frame.Codec;
import io.dwcp.core.frame.DataFrameDescriptor;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The storing half of a session's data streams. Each stream's reading thread fills a slot with one frame's
 * payload and hands it over; this stage's single thread decodes it, checks its CRC32C and stores it.
 * Socket reads and file writes, the two big kernel copies of the receive path, run on different cores, and
 * one writer per session means streams never contend for the same file's write lock. Slots are allocated
 * once and cycle between the two queues; the steady state allocates nothing.
 */
public final class BlockPipeline implements Runnable {
    /** Bounds the memory a session holds in flight: at most this many frames. */
    static final int MAX_SLOTS = 8;

    /** One frame in flight: the payload and the header fields needed to decode and place it. */
    static final class Slot {
        final ByteBuffer payload;
        Codec codec;
        int fileId;
        long offset;
        int length;
        int frameBytes;
        int crc;

        Slot(int capacity) {
            this.payload = ByteBuffer.allocateDirect(capacity);
        }
    }

    private static final long POLL_MILLIS = 100;

    private final DataSession session;
    private final BlockDecoder decoder;
    private final CRC32C crc = new CRC32C();
    private final ArrayBlockingQueue<Slot> free;
    private final ArrayBlockingQueue<Slot> ready;
    private final Thread thread;
    private volatile boolean stopped;

    /** One slot more than two per stream lets every reader fill one while another waits to be stored. */
    public BlockPipeline(DataSession session, int blockSize, int streams, String name) {
        this.session = session;
        this.decoder = new BlockDecoder(blockSize);
        int slots = Math.min(MAX_SLOTS, 2 * streams + 1);
        this.free = new ArrayBlockingQueue<>(slots);
        this.ready = new ArrayBlockingQueue<>(slots + 1);
        for (int i = 0; i < slots; i++) {
            free.add(new Slot(DataFrameDescriptor.maxWireLength(blockSize)));
        }
        this.thread = Thread.ofPlatform().daemon().name(name).start(this);
    }

    /** A free slot for a reader; waits while the writer is behind, and gives up once the session stopped. */
    Slot acquire() throws InterruptedException, DwcpException {
        while (true) {
            Slot s = free.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            if (stopped) {
                throw new DwcpException(ErrorCode.IO, "reason=session-ended");
            }
            if (s != null) {
                return s;
            }
        }
    }

    void submit(Slot s) throws InterruptedException {
        ready.put(s);
    }

    /** The session ended: stop without storing what is still queued. */
    public void stop() {
        stopped = true;
        thread.interrupt();
    }

    @Override
    public void run() {
        try {
            while (true) {
                Slot s = ready.take();
                if (stopped) {
                    return;
                }
                store(s);
                free.put(s);
            }
        } catch (InterruptedException e) {
            // abandoned
        } catch (DwcpException e) {
            fail(e.code(), e.getMessage());
        } catch (RuntimeException e) {
            fail(ErrorCode.INTERNAL, "reason=internal detail=\"" + e + "\"");
        }
    }

    private void fail(ErrorCode code, String message) {
        stopped = true;
        // Aborting closes the session's sockets; readers waiting for a slot see the stop within a poll.
        session.abort(code, message);
    }

    private void store(Slot s) throws DwcpException {
        ByteBuffer block = decoder.decode(s.codec, s.payload, s.length);
        crc.reset();
        crc.update(block);
        block.flip();
        if ((int) crc.getValue() != s.crc) {
            session.onBadBlock(s.fileId, s.offset, "bad-crc");
            return;
        }
        session.onBlock(s.fileId, s.offset, block, s.codec == Codec.ZERO, s.frameBytes);
    }
}
