package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.digest.PageDigests;
import io.dwcp.core.message.Message;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Refines changed blocks of BASIS files to pages. A stream that finds a block changed hands it here instead of
 * sending it; blocks are asked for in REFINE messages (per file, up to {@link #blocksPerRefine} each), the
 * receiver answers with its pages' digests, and the answered blocks go back to the streams through the
 * {@link BlockSchedule} as {@link RefinedBlock}s, which send only the pages that differ. One round trip, and only
 * for changed blocks.
 *
 * <p>At most {@link #MAX_OUTSTANDING} blocks are asked for and not yet sent: a stream that finds the limit reached
 * sends refined blocks itself until there is room (so the answers it waits for are never starved of a stream).
 */
final class Refiner {
    /** Blocks asked for and not yet sent; bounds the answers' digests held here (8 bytes a page). */
    static final int MAX_OUTSTANDING = 1024;
    /** A partly filled REFINE waits at most this long for more blocks of its file. */
    private static final long FLUSH_NANOS = 2_000_000;

    /** A block whose receiver page digests arrived: {@code digests[at, at + PageDigests.length(block))}. */
    record RefinedBlock(OutgoingFile file, int block, byte[] digests, int at) {
    }

    /** Where REFINE messages go. */
    interface Out {
        void send(Message m) throws IOException;
    }

    private final Out out;
    private final BlockSchedule schedule;
    private final int blocksPerRefine;
    /** Per file: blocks collected for the next REFINE, and the REFINEs sent and not yet answered, in order. */
    private final Map<Integer, Pending> files = new HashMap<>();
    private int outstanding;
    private long oldestNanos;

    private static final class Pending {
        final OutgoingFile file;
        final int[] blocks;
        int count;
        final ArrayDeque<int[]> asked = new ArrayDeque<>();

        Pending(OutgoingFile file, int max) {
            this.file = file;
            this.blocks = new int[max];
        }
    }

    Refiner(Out out, BlockSchedule schedule, int blockSize, int maxControlBody) {
        this.out = out;
        this.schedule = schedule;
        int perBlock = PageDigests.length(blockSize);
        this.blocksPerRefine = Math.max(1, Math.min(Message.Refine.MAX_BLOCKS, maxControlBody / 2 / perBlock));
    }

    /** True when no more blocks may be asked for until some are sent. */
    synchronized boolean full() {
        return outstanding >= MAX_OUTSTANDING;
    }

    /** Asks for the page digests of block {@code block} of {@code f}. */
    void want(OutgoingFile f, int block) throws IOException {
        Message.Refine ready = null;
        synchronized (this) {
            Pending p = files.computeIfAbsent(f.id, id -> new Pending(f, blocksPerRefine));
            if (p.count == 0 && pendingBlocks() == 0) {
                oldestNanos = System.nanoTime();
            }
            p.blocks[p.count++] = block;
            outstanding++;
            if (p.count == p.blocks.length || block == f.blockCount - 1) {
                ready = take(p);
            }
        }
        if (ready != null) {
            out.send(ready);
        }
    }

    /** Sends every partly filled REFINE (a stream is about to idle) or, with {@code onlyIfDue}, those that waited. */
    void flush(boolean onlyIfDue) throws IOException {
        java.util.List<Message.Refine> ready;
        synchronized (this) {
            if (pendingBlocks() == 0 || (onlyIfDue && System.nanoTime() - oldestNanos < FLUSH_NANOS)) {
                return;
            }
            ready = new java.util.ArrayList<>();
            for (Pending p : files.values()) {
                if (p.count > 0) {
                    ready.add(take(p));
                }
            }
        }
        for (Message.Refine r : ready) {
            out.send(r);
        }
    }

    private int pendingBlocks() {
        int n = 0;
        for (Pending p : files.values()) {
            n += p.count;
        }
        return n;
    }

    private Message.Refine take(Pending p) {
        int[] blocks = java.util.Arrays.copyOf(p.blocks, p.count);
        java.util.Arrays.sort(blocks); // streams share a file's blocks, so they arrive here slightly out of order
        p.count = 0;
        p.asked.add(blocks);
        return new Message.Refine(p.file.id, blocks);
    }

    /**
     * The receiver's page digests for the oldest unanswered REFINE of a file: checked against what was asked, then
     * every block goes to the streams.
     */
    void answered(Message.PageDigests d) throws DwcpException {
        Pending p;
        int[] asked;
        synchronized (this) {
            p = files.get(d.fileId());
            asked = p == null ? null : p.asked.poll();
        }
        if (asked == null || !java.util.Arrays.equals(asked, d.blocks())) {
            throw DwcpException.protocol("frame=page_digests reason=not-asked file=" + d.fileId());
        }
        OutgoingFile f = p.file;
        long want = 0;
        for (int b : asked) {
            want += PageDigests.length(f.length(b));
        }
        if (d.digests().length != want) {
            throw DwcpException.protocol("frame=page_digests reason=bad-digests file=" + d.fileId() + " length="
                    + d.digests().length + " want=" + want);
        }
        int at = 0;
        for (int b : asked) {
            schedule.addRefined(new RefinedBlock(f, b, d.digests(), at));
            at += PageDigests.length(f.length(b));
        }
        synchronized (this) {
            if (p.count == 0 && p.asked.isEmpty()) {
                files.remove(d.fileId());
            }
        }
    }

    /**
     * A file ended before all its refined blocks were answered (the receiver failed it, and answers nothing more
     * for it): what it had asked for no longer counts against the limit.
     */
    synchronized void forget(int fileId) {
        Pending p = files.remove(fileId);
        if (p != null) {
            outstanding -= p.count;
            for (int[] asked : p.asked) {
                outstanding -= asked.length;
            }
        }
    }

    /** A refined block was sent (or given up): room for another. */
    synchronized void sent() {
        outstanding--;
    }
}
