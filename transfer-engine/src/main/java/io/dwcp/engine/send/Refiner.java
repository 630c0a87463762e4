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
    /** Blocks asked for and not yet sent, at most; bounds the digests held here (8 bytes a page, both ends'). */
    static final int MAX_OUTSTANDING = 1024;
    /** The sender's own page digests of outstanding blocks take at most this much (fewer blocks for big ones). */
    static final int MINE_BYTES = 4 << 20;
    /** A partly filled REFINE waits at most this long for more blocks of its file. */
    private static final long FLUSH_NANOS = 2_000_000;

    /**
     * A block whose receiver page digests arrived: {@code digests[at, at + PageDigests.length(block))}; {@code slot}
     * holds the sender's own page digests and CRC32C of the block ({@link #mine}, {@link #crc}).
     */
    record RefinedBlock(OutgoingFile file, int block, byte[] digests, int at, int slot) {
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
    private final int maxOutstanding;
    private final int perBlock;
    /** Per slot: the sender's page digests and CRC32C of one outstanding block, taken when it was first read. */
    private final byte[] mine;
    private final int[] crcs;
    private final int[] freeSlots;
    private int freeCount;
    /** Outstanding block ({@code file << 32 | block}) to its slot. */
    private final Map<Long, Integer> slotOf = new HashMap<>();
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
        this.perBlock = PageDigests.length(blockSize);
        this.blocksPerRefine = Math.max(1, Math.min(Message.Refine.MAX_BLOCKS, maxControlBody / 2 / perBlock));
        this.maxOutstanding = Math.max(blocksPerRefine, Math.min(MAX_OUTSTANDING, MINE_BYTES / perBlock));
        this.mine = new byte[maxOutstanding * perBlock];
        this.crcs = new int[maxOutstanding];
        this.freeSlots = new int[maxOutstanding];
        for (int i = 0; i < maxOutstanding; i++) {
            freeSlots[i] = maxOutstanding - 1 - i;
        }
        this.freeCount = maxOutstanding;
    }

    /** The sender's page digests of a refined block, at {@link #mineAt}. */
    byte[] mine() {
        return mine;
    }

    int mineAt(int slot) {
        return slot * perBlock;
    }

    /** The CRC32C of a refined block as first read. */
    synchronized int crc(int slot) {
        return crcs[slot];
    }

    /** True when no more blocks may be asked for until some are sent. */
    synchronized boolean full() {
        return outstanding >= maxOutstanding;
    }

    /**
     * Asks for the page digests of block {@code block} of {@code f}, keeping the sender's own ({@code pages} from
     * {@code pagesAt}, of the block as read, and its {@code crc}) until the answer comes, and counts the block as
     * deferred on {@code f}. False, with nothing done, when the refiner is full: streams check {@link #full()} first,
     * but several may find the last slot free at once, and only one gets it.
     */
    boolean want(OutgoingFile f, int block, byte[] pages, int pagesAt, int crc) throws IOException {
        Message.Refine ready = null;
        synchronized (this) {
            if (freeCount == 0) {
                return false;
            }
            f.deferred(); // before the REFINE leaves: its answer, and the block's verdict, cannot come first
            int slot = freeSlots[--freeCount];
            System.arraycopy(pages, pagesAt, mine, slot * perBlock, PageDigests.length(f.length(block)));
            crcs[slot] = crc;
            slotOf.put(((long) f.id << 32) | block, slot);
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
        return true;
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
     * The receiver's page digests for an unanswered REFINE of a file: checked against what was asked, then every
     * block goes to the streams. The REFINEs of one file may leave in another order than they were made (streams
     * make them under this lock and send them after it), and the receiver answers in the order they came, so an
     * answer is matched with the request it names, not with the oldest.
     */
    void answered(Message.PageDigests d) throws DwcpException {
        Pending p;
        int[] asked = null;
        synchronized (this) {
            p = files.get(d.fileId());
            if (p != null) {
                for (java.util.Iterator<int[]> it = p.asked.iterator(); it.hasNext(); ) {
                    int[] a = it.next();
                    if (java.util.Arrays.equals(a, d.blocks())) {
                        asked = a;
                        it.remove();
                        break;
                    }
                }
            }
        }
        if (asked == null) {
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
            int slot;
            synchronized (this) {
                slot = slotOf.remove(((long) f.id << 32) | b);
            }
            schedule.addRefined(new RefinedBlock(f, b, d.digests(), at, slot));
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
            for (int i = 0; i < p.count; i++) {
                release(slotOf.remove(((long) fileId << 32) | p.blocks[i]));
            }
            for (int[] asked : p.asked) {
                for (int b : asked) {
                    release(slotOf.remove(((long) fileId << 32) | b));
                }
            }
        }
    }

    private void release(Integer slot) {
        if (slot != null) {
            freeSlots[freeCount++] = slot;
            outstanding--;
        }
    }

    /** A refined block was sent (or given up): its slot is free for another. */
    synchronized void sent(int slot) {
        release(slot);
    }
}
