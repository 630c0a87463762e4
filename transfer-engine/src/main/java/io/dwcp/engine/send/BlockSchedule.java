package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.message.Message;
import io.dwcp.zerocopy.select.IoPaths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which block each data stream sends next: every block of every file in one shared cursor (so streams never
 * wait on each other's files), blocks the receiver asked for again first. Tasks are {@code (file << 32) | block};
 * a retry has the sign bit set.
 */
final class BlockSchedule {
    /** A block whose CRC failed at the receiver this many times fails the transfer. */
    static final int MAX_BLOCK_RETRIES = 3;
    /** Nothing to do now. */
    static final long NONE = -1;
    /** Put in the retry queue once the transfer stops: wakes streams waiting there for a retry at once. */
    private static final Long WAKE = -2L;
    /** How long an idle stream waits for a retry before it looks at the stop flag again. */
    private static final long IDLE_POLL_MILLIS = 1000;

    private final OutgoingFile[] files;
    private final long[] firstBlock;
    private final long totalBlocks;
    private final int fileCount;
    private final int blockSize;
    private final AtomicLong cursor = new AtomicLong();
    private final LinkedBlockingQueue<Long> retries = new LinkedBlockingQueue<>();
    private final Map<Long, Integer> retryCounts = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    private BlockSchedule(OutgoingFile[] files, long[] firstBlock, int fileCount, int blockSize) {
        this.files = files;
        this.firstBlock = firstBlock;
        this.totalBlocks = firstBlock[files.length];
        this.fileCount = fileCount;
        this.blockSize = blockSize;
    }

    /** The schedule for {@code manifest} as the receiver's PLAN has it; a PLAN that does not match is an error. */
    static BlockSchedule of(Manifest manifest, Message.Plan plan, int blockSize, IoPaths io) throws DwcpException {
        List<Entry> entries = manifest.entries();
        Map<Integer, Message.FilePlan> byId = new HashMap<>();
        for (Message.FilePlan p : plan.files()) {
            if (p.fileId() < 0 || p.fileId() >= entries.size() || entries.get(p.fileId()).kind() != EntryKind.FILE
                    || byId.put(p.fileId(), p) != null) {
                throw DwcpException.protocol("frame=plan reason=bad-file-id file=" + p.fileId());
            }
        }
        OutgoingFile[] files = new OutgoingFile[entries.size()];
        long[] firstBlock = new long[entries.size() + 1];
        long blocks = 0;
        int count = 0;
        for (int i = 0; i < entries.size(); i++) {
            firstBlock[i] = blocks;
            Entry e = entries.get(i);
            if (e.kind() != EntryKind.FILE) {
                continue;
            }
            Message.FilePlan p = byId.get(i);
            if (p == null) {
                throw DwcpException.protocol("frame=plan reason=missing-file file=" + i);
            }
            files[i] = new OutgoingFile(i, e, manifest.sources().get(i), blockSize, p, io);
            blocks += files[i].blockCount;
            count++;
        }
        firstBlock[entries.size()] = blocks;
        return new BlockSchedule(files, firstBlock, count, blockSize);
    }

    /** Every entry's file, null for entries that are not files. */
    OutgoingFile[] files() {
        return files;
    }

    int fileCount() {
        return fileCount;
    }

    /** The file with {@code id}, or null when there is none. */
    OutgoingFile file(int id) {
        return id >= 0 && id < files.length ? files[id] : null;
    }

    /** Next block as {@code (file << 32) | block}, a retry first (sign bit set); {@link #NONE} when there is none now. */
    long next() {
        Long r = retries.poll();
        if (WAKE.equals(r)) {
            retries.add(r);
            return NONE;
        }
        if (r != null) {
            return r | Long.MIN_VALUE;
        }
        long g = cursor.getAndIncrement();
        if (g >= totalBlocks) {
            return NONE;
        }
        int lo = 0;
        int hi = files.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (firstBlock[mid] <= g) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        // Entries without blocks share their successor's first block; skip forward to the owner.
        while (files[lo] == null || g >= firstBlock[lo] + files[lo].blockCount) {
            lo++;
        }
        return ((long) lo << 32) | (g - firstBlock[lo]);
    }

    /** Waits briefly for a retry to appear; returns false when the streams should stop. */
    boolean idle() throws InterruptedException {
        if (stopped) {
            return false;
        }
        Long r = retries.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (r != null) {
            retries.add(r);
        }
        return !stopped;
    }

    /** The receiver rejected a block (bad CRC where it landed): send it again, at most {@link #MAX_BLOCK_RETRIES}. */
    void retry(Message.BlockNack n) throws DwcpException {
        int id = n.fileId();
        OutgoingFile f = file(id);
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
    }

    boolean stopped() {
        return stopped;
    }

    /** No more blocks: streams idle for a retry wake at once and end. */
    void stop() {
        stopped = true;
        retries.add(WAKE);
    }
}
