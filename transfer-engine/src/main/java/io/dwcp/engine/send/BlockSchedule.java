package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.message.Message;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Which block each data stream sends next: files join as their PLAN lines arrive, in offer order, and streams take
 * their blocks one by one from the oldest file (so a big file is shared by every stream and small files follow
 * each other without a round trip each), blocks the receiver asked for again first. Tasks are
 * {@code (file << 32) | block}; a retry has the sign bit set.
 *
 * <p>One monitor: a stream holds it for a few field updates per block, and it is where idle streams wait for the
 * next file.
 */
final class BlockSchedule {
    /** A block whose CRC failed at the receiver this many times fails the transfer. */
    static final int MAX_BLOCK_RETRIES = 3;
    /** Nothing to do now. */
    static final long NONE = -1;
    /** How long an idle stream waits before it looks at the stop flag again. */
    private static final long IDLE_POLL_MILLIS = 200;

    private final int blockSize;
    private final ArrayDeque<OutgoingFile> files = new ArrayDeque<>();
    private final ArrayDeque<Long> retries = new ArrayDeque<>();
    private final ArrayDeque<Refiner.RefinedBlock> refined = new ArrayDeque<>();
    private final Map<Long, Integer> retryCounts = new HashMap<>();
    private OutgoingFile current;
    private int nextBlock;
    private boolean stopped;
    private boolean anyScheduled;

    BlockSchedule(int blockSize) {
        this.blockSize = blockSize;
    }

    /** A file whose blocks are due (it has at least one). */
    synchronized void add(OutgoingFile f) {
        anyScheduled = true;
        files.add(f);
        notifyAll();
    }

    /** True once some file has had blocks to send: the data streams are needed. */
    synchronized boolean anyScheduled() {
        return anyScheduled;
    }

    /** Next block as {@code (file << 32) | block}, a retry first (sign bit set); {@link #NONE} when there is none now. */
    synchronized long next() {
        if (stopped) {
            return NONE;
        }
        Long r = retries.poll();
        if (r != null) {
            return r | Long.MIN_VALUE;
        }
        while (true) {
            if (current != null && nextBlock < current.blockCount) {
                return ((long) current.id << 32) | nextBlock++;
            }
            current = files.poll();
            nextBlock = 0;
            if (current == null) {
                return NONE;
            }
        }
    }

    /** A changed block whose receiver page digests arrived: streams take these before new blocks. */
    synchronized void addRefined(Refiner.RefinedBlock r) {
        refined.add(r);
        notifyAll();
    }

    /** The oldest refined block waiting, or null. */
    synchronized Refiner.RefinedBlock pollRefined() {
        return stopped ? null : refined.poll();
    }

    /** Waits briefly for a refined block to arrive (a stream waiting for the refiner's answers); false once stopped. */
    synchronized boolean awaitRefined() throws InterruptedException {
        if (!stopped && refined.isEmpty()) {
            wait(IDLE_POLL_MILLIS);
        }
        return !stopped;
    }

    /** Waits briefly for work to appear; returns false when the streams should stop. */
    synchronized boolean idle() throws InterruptedException {
        if (!stopped && retries.isEmpty() && refined.isEmpty() && files.isEmpty() && (current == null || nextBlock >= current.blockCount)) {
            wait(IDLE_POLL_MILLIS);
        }
        return !stopped;
    }

    /** The receiver rejected a block (bad CRC where it landed): send it again, at most {@link #MAX_BLOCK_RETRIES}. */
    synchronized void retry(OutgoingFile f, Message.BlockNack n) throws DwcpException {
        int id = n.fileId();
        if (f == null || n.offset() < 0 || n.offset() % blockSize != 0 || n.offset() / blockSize >= f.blockCount) {
            throw DwcpException.protocol("frame=block_nack reason=bad-block file=" + id + " offset=" + n.offset());
        }
        long key = ((long) id << 32) | (n.offset() / blockSize);
        int attempts = retryCounts.merge(key, 1, Integer::sum);
        if (attempts > MAX_BLOCK_RETRIES) {
            throw new DwcpException(ErrorCode.VERIFY, "path=\"" + f.entry.path() + "\" offset=" + n.offset()
                    + " reason=block-corrupted-repeatedly attempts=" + attempts + " last=" + n.reason());
        }
        retries.add(key);
        notifyAll();
    }

    synchronized boolean stopped() {
        return stopped;
    }

    /** No more blocks: idle streams wake at once and end. */
    synchronized void stop() {
        stopped = true;
        notifyAll();
    }
}
