package io.dwcp.engine.send;

import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.digest.PageDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.ReadAhead;
import io.dwcp.zerocopy.select.IoPaths;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Digests the big files of the first batch from the moment they are offered: while the receiver digests its copies
 * of them, and then ahead of the streams.
 *
 * <p>A PLAN that names a basis comes only after the receiver has read its whole copy (a 2 GiB file on XFS: 0.3-0.6 s
 * here, mostly reading), and the data streams start at the PLAN: without this, the sender's own pass over the file
 * began only then, and the two passes ran one after the other. Here one thread reads and digests each such file in
 * order (each block's digest, its page digests and its CRC32C), and a stream that comes to a block of a file with a
 * basis takes that block's digests from here ({@link Digested#await}) instead of reading it: an unchanged block is
 * done, a changed one goes to the refiner with its page digests. The streams then only decide and send, while this
 * thread reads.
 *
 * <p>A file whose PLAN has no basis (a new file) or whose changed blocks go as XOR deltas needs its bytes read by the
 * stream anyway: its digesting here is {@linkplain #cancel cancelled} at the PLAN. The thread ends when every file is
 * done or the transfer ends ({@link #stop}). Its buffer is one block from its own confined arena, freed when it
 * ends; the page digests it keeps are bounded by {@link #MAX_PAGE_BYTES} (the first 8 GiB of the batch, at 1 MiB
 * blocks), and a stream sends blocks past that bound the usual way. A file that fails to read here is read again by
 * the streams, which report it.
 */
final class DigestAhead {
    /** Smaller files are not digested ahead: their receiver copies are read quickly, and the PLAN comes soon. */
    static final long MIN_FILE_BYTES = 16L << 20;
    /** The page digests kept here, at most (8 bytes per 4 KiB page). */
    static final int MAX_PAGE_BYTES = 16 << 20;

    /**
     * One file's blocks as this thread digests them, from block 0: block digests in {@link #digests} (which become the
     * file's own, {@link OutgoingFile}), page digests of block {@code b} in {@link #pages} from {@link #pagesAt}, its
     * CRC32C from {@link #crc}. Blocks below {@link #ready} are done, each published under the lock, which a stream
     * takes to wait for it.
     */
    static final class Digested {
        final byte[] digests;
        private final byte[] pages;
        private final int pagesAt;
        private final int[] crcs;
        private final int crcsAt;
        private final int perBlock;
        /** Blocks it was to digest when it started: the whole file, or as many as {@link #MAX_PAGE_BYTES} leaves. */
        private final int bound;
        private volatile int ready;
        /** Blocks this thread will digest; lowered to {@link #ready} when it stops early or is cancelled. */
        private volatile int limit;
        private boolean waiting;

        Digested(int blocks, int limit, byte[] pages, int pagesAt, int[] crcs, int crcsAt, int perBlock) {
            this.digests = new byte[blocks * BlockDigests.DIGEST_LENGTH];
            this.pages = pages;
            this.pagesAt = pagesAt;
            this.crcs = crcs;
            this.crcsAt = crcsAt;
            this.perBlock = perBlock;
            this.limit = limit;
            this.bound = limit;
        }

        int bound() {
            return bound;
        }

        /**
         * Waits until block {@code block} is digested here; false when it will not be (past the bound, cancelled, or
         * the thread stopped early): the caller then reads and digests it itself.
         */
        synchronized boolean await(int block) throws InterruptedException {
            while (ready <= block && block < limit) {
                waiting = true;
                wait(100);
            }
            return ready > block;
        }

        byte[] pages() {
            return pages;
        }

        int pagesAt(int block) {
            return pagesAt + block * perBlock;
        }

        int crc(int block) {
            return crcs[crcsAt + block];
        }

        /** No more blocks of this file are digested here; the ones already done stay. */
        synchronized void cancel() {
            limit = Math.min(limit, ready);
            notifyAll();
        }

        /**
         * Publishes block {@code block} (its page digests already written): false when it was cancelled meanwhile,
         * and a stream may be digesting it itself, so its digest is not written over the stream's.
         */
        private synchronized boolean publish(int block, byte[] digest, int crc) {
            if (block >= limit) {
                return false;
            }
            System.arraycopy(digest, 0, digests, block * BlockDigests.DIGEST_LENGTH, BlockDigests.DIGEST_LENGTH);
            crcs[crcsAt + block] = crc;
            ready = block + 1;
            if (waiting) {
                waiting = false;
                notifyAll();
            }
            return true;
        }
    }

    private record Candidate(Entry entry, Path source, Digested digested) {
    }

    private final List<Candidate> files;
    /** Read-only once built: the main thread looks files up while the thread runs. */
    private final Map<Long, Digested> byId;
    private final int blockSize;
    private final IoMode mode;
    private final Thread thread;
    private volatile boolean stop;

    private DigestAhead(List<Candidate> files, Map<Long, Digested> byId, int blockSize, IoMode mode) {
        this.files = files;
        this.byId = byId;
        this.blockSize = blockSize;
        this.mode = mode;
        this.thread = Thread.ofPlatform().daemon().name("dwcp-digest-ahead").unstarted(this::run);
    }

    /**
     * Starts digesting the files of {@code batch} (offered from {@code firstId}) of at least {@link #MIN_FILE_BYTES};
     * null when it has none.
     */
    static DigestAhead start(long firstId, EntrySource.Batch batch, int blockSize, IoMode mode) {
        int perBlock = PageDigests.length(blockSize);
        long wanted = 0;
        for (Entry e : batch.entries()) {
            if (e.kind() == EntryKind.FILE && e.size() >= MIN_FILE_BYTES) {
                wanted += FileBlocks.blockCount(e.size(), blockSize);
            }
        }
        int capacity = (int) Math.min(wanted, MAX_PAGE_BYTES / perBlock);
        if (capacity == 0) {
            return null;
        }
        byte[] pages = new byte[capacity * perBlock];
        int[] crcs = new int[capacity];
        List<Candidate> files = new ArrayList<>();
        Map<Long, Digested> byId = new HashMap<>();
        int used = 0;
        for (int i = 0; i < batch.entries().size() && used < capacity; i++) {
            Entry e = batch.entries().get(i);
            if (e.kind() == EntryKind.FILE && e.size() >= MIN_FILE_BYTES) {
                int blocks = FileBlocks.blockCount(e.size(), blockSize);
                int limit = Math.min(blocks, capacity - used);
                Digested d = new Digested(blocks, limit, pages, used * perBlock, crcs, used, perBlock);
                files.add(new Candidate(e, batch.sources().get(i), d));
                byId.put(firstId + i, d);
                used += limit;
            }
        }
        DigestAhead ahead = new DigestAhead(files, byId, blockSize, mode);
        ahead.thread.start();
        return ahead;
    }

    /** What is being digested of file {@code id}, or null. */
    Digested of(long id) {
        return byId.get(id);
    }

    /** Stops at the end of the block being digested; waiting streams then digest their blocks themselves. */
    void stop() {
        stop = true;
    }

    private void run() {
        try {
            digestAll();
        } finally {
            for (Candidate c : files) {
                c.digested().cancel(); // whatever ended the thread, no stream waits for it any longer
            }
        }
    }

    private void digestAll() {
        CRC32C crc = new CRC32C();
        byte[] digest = new byte[BlockDigests.DIGEST_LENGTH];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(blockSize, 4096);
            ByteBuffer view = buf.asByteBuffer();
            IoPaths io = IoPaths.forSending(mode);
            for (Candidate c : files) {
                Digested d = c.digested();
                long size = c.entry().size();
                int block = 0;
                try (DataFile f = io.openSource(c.source())) {
                    long advised = ReadAhead.start(size);
                    while (!stop && block < d.limit) {
                        int length = FileBlocks.blockLength(size, blockSize, block);
                        advised = ReadAhead.before(f, advised, (long) block * blockSize, size);
                        if (f.readAtMost(buf, 0, length, (long) block * blockSize) < length) {
                            break; // it shrank since it was offered: the streams find out and say so
                        }
                        BlockDigests.digest(buf, 0, length, digest, 0, d.pages, d.pagesAt(block));
                        crc.reset();
                        crc.update(view.clear().limit(length));
                        if (!d.publish(block, digest, (int) crc.getValue())) {
                            break; // cancelled meanwhile: the block is a stream's now
                        }
                        block++;
                    }
                } catch (IOException e) {
                    // unreadable now: the streams read it again and report it
                } finally {
                    d.cancel(); // what is not done by now is the streams' to do
                }
            }
        }
    }
}
