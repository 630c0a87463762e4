package io.dwcp.server.data;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.codec.BlockDecoder;
import io.dwcp.core.codec.Codec;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.server.session.TransferSession;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.zip.CRC32C;

/**
 * The second half of a data stream. The stream's reading thread fills a slot with one frame's payload and
 * hands it over; this stage's thread decodes it, checks its CRC32C and stores it. Socket reads and file
 * writes are the two big kernel copies of the receive path: on separate threads they run on separate
 * cores, so one stream is no longer bound by one core. Slots are allocated once and cycle between the two
 * queues; the steady state allocates nothing.
 */
final class BlockPipeline implements Runnable {
    /** Enough for the reader to fill one slot while the writer stores another, with one in reserve. */
    static final int SLOTS = 3;

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
            this.payload = capacity == 0 ? ByteBuffer.allocate(0) : ByteBuffer.allocateDirect(capacity);
        }
    }

    private static final Slot END = new Slot(0);

    private final TransferSession session;
    private final BlockDecoder decoder;
    private final CRC32C crc = new CRC32C();
    private final ArrayBlockingQueue<Slot> free = new ArrayBlockingQueue<>(SLOTS);
    private final ArrayBlockingQueue<Slot> ready = new ArrayBlockingQueue<>(SLOTS + 1);
    private final Thread thread;
    private volatile boolean failed;

    BlockPipeline(TransferSession session, int blockSize, String name) {
        this.session = session;
        this.decoder = new BlockDecoder(blockSize);
        for (int i = 0; i < SLOTS; i++) {
            free.add(new Slot(DataFrameDescriptor.maxWireLength(blockSize)));
        }
        this.thread = Thread.ofPlatform().daemon().name(name).start(this);
    }

    /** A free slot for the reader; waits while the writer is behind. */
    Slot acquire() throws InterruptedException, DwcpException {
        Slot s = free.take();
        if (failed) {
            throw new DwcpException(ErrorCode.IO, "reason=stream-store-failed");
        }
        return s;
    }

    void submit(Slot s) throws InterruptedException {
        ready.put(s);
    }

    /** The sender ended the stream cleanly: wait until every handed-over block is stored. */
    void finish() throws InterruptedException {
        ready.put(END);
        thread.join();
    }

    /** The stream failed: stop without storing what is still queued. */
    void abandon() {
        failed = true;
        thread.interrupt();
    }

    @Override
    public void run() {
        try {
            while (true) {
                Slot s = ready.take();
                if (s == END || failed) {
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
        failed = true;
        // Wake the reader if it waits for a slot; aborting the session also closes its socket.
        free.offer(END);
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
        session.onBlock(s.fileId, s.offset, block, s.frameBytes);
    }
}
