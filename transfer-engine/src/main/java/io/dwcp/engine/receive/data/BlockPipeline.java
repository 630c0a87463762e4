package io.dwcp.engine.receive.data;

import io.dwcp.core.concurrent.ThreadAllocation;
import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.codec.BlockDecoder;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.digest.Crc32cCombine;
import io.dwcp.core.digest.PageSums;
import io.dwcp.core.digest.Xxh3;
import io.dwcp.core.concurrent.MpmcArrayQueue;
import io.dwcp.core.frame.Codec;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.core.frame.PageMapDescriptor;
import io.dwcp.simd.DeltaKernels;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.engine.runtime.EngineRuntime;
import io.dwcp.numa.Slab;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * The verifying and storing half of a session's data streams. A stream either lands a RAW payload in the part
 * file itself (splice) or reads a payload into a slot; the slot then runs on the session's pinned worker (one
 * per CPU, shared by sessions, never a thread of the session's own), which checks the CRC32C of the
 * reconstructed bytes (read back from where they landed, or decoded from the slot) and hands the block to the
 * session. One worker per session keeps its blocks in order and its decoder and CRC state single-threaded.
 * Slots are slab buffers taken once per session and cycled; the steady state allocates nothing.
 */
public final class BlockPipeline {
    /** Bounds the memory a session holds in flight: at most this many frames. */
    static final int MAX_SLOTS = 8;

    /** One frame in flight: its buffer and the header fields needed to verify and place it; runs as the worker's job. */
    static final class Slot implements Runnable {
        final BlockPipeline pipeline;
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
        /** A page codec's basis digest: the basis block the payload applies to. */
        final byte[] basis = new byte[16];
        /** Each slot its own CRC state: a slot is checked by one thread at a time, whichever that is. */
        final CRC32C checksum = new CRC32C();

        Slot(BlockPipeline pipeline, Slab slab, int capacity) {
            this.pipeline = pipeline;
            this.slab = slab;
            this.segment = slab.segment().asSlice(0, capacity);
            this.payload = segment.asByteBuffer();
        }

        @Override
        public void run() {
            long alloc = ThreadAllocation.current();
            try {
                pipeline.verify(this);
            } finally {
                pipeline.workerAllocBytes.addAndGet(ThreadAllocation.since(alloc));
            }
        }
    }

    /** How long a waiting stream parks between looks: a block takes far longer than this to arrive. */
    private static final long PARK_NANOS = 20_000;
    /** How often a reader waiting for a free slot looks whether the session stopped. */
    private static final long STOP_CHECK_NANOS = 100_000_000;

    private final DataSession session;
    private final EngineRuntime runtime;
    private final int worker;
    /** LZ4 output and the source of ZERO blocks: slabs too, given back with the slots. */
    private final Slab decodeSlab;
    private final Slab zeroSlab;
    /** Where a page frame's block is rebuilt from its basis block, then checked. */
    private final Slab rebuildSlab;
    private final MemorySegment rebuild;
    private final MemorySegment decoded;
    /** The buffer views the decoder returns, and the rebuilt block's: made once, so no block wraps a new one. */
    private final ByteBuffer decodedView;
    private final MemorySegment zeros;
    private final ByteBuffer rebuildView;
    private final long[] pageMap;
    private final int blockSize;
    /** A page frame's page list, page CRCs and block digest when they come from page sums ({@link #landFromSums}). */
    private final byte[] derivedList;
    private final int[] derivedCrcs;
    private final byte[] derivedDigest = new byte[BlockDigests.DIGEST_LENGTH];
    private final BlockDecoder decoder;
    private final Slot[] slots;
    /** Slots waiting for a reader; their handoff allocates nothing (blocking queues allocate on every wait). */
    private final MpmcArrayQueue<Slot> free;
    /** Slots submitted to the worker and not yet done with: the slabs go back only once this is zero. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong workerAllocBytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean releaseWanted;
    private volatile boolean stopped;

    /** One slot more than two per stream lets every reader fill one while another waits to be verified. */
    public BlockPipeline(DataSession session, int blockSize, int streams, EngineRuntime runtime) throws IOException {
        this.session = session;
        this.runtime = runtime;
        this.worker = runtime.assignWorker();
        int n = Math.min(MAX_SLOTS, 2 * streams + 1);
        int capacity = DataFrameDescriptor.maxPayload(blockSize);
        int pagePayload = PageMapDescriptor.maxPayload(blockSize);
        this.slots = new Slot[n];
        Slab decode = null;
        Slab zero = null;
        Slab rebuilt = null;
        try {
            decode = runtime.buffer(pagePayload);
            zero = runtime.buffer(blockSize);
            rebuilt = runtime.buffer(blockSize);
            zero.segment().asSlice(0, blockSize).fill((byte) 0); // slabs come back dirty
            for (int i = 0; i < n; i++) {
                slots[i] = new Slot(this, runtime.buffer(capacity), capacity);
            }
        } catch (IOException e) {
            releaseSlots();
            if (decode != null) {
                decode.release();
            }
            if (zero != null) {
                zero.release();
            }
            if (rebuilt != null) {
                rebuilt.release();
            }
            throw e;
        }
        this.decodeSlab = decode;
        this.zeroSlab = zero;
        this.rebuildSlab = rebuilt;
        this.rebuild = rebuilt.segment().asSlice(0, blockSize);
        this.decoded = decode.segment().asSlice(0, pagePayload);
        this.pageMap = new long[PageMapDescriptor.mapWords(blockSize)];
        this.blockSize = blockSize;
        this.derivedList = new byte[PageMapDescriptor.pages(blockSize) * BlockDigests.PER_PAGE];
        this.derivedCrcs = new int[PageMapDescriptor.pages(blockSize)];
        this.decodedView = decoded.asByteBuffer();
        this.zeros = zero.segment().asSlice(0, blockSize);
        this.rebuildView = rebuild.asByteBuffer();
        this.decoder = new BlockDecoder(decodedView, zeros.asByteBuffer());
        this.free = new MpmcArrayQueue<>(n);
        for (Slot s : slots) {
            free.offer(s);
        }
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

    /** Hands a filled slot to the session's worker, waiting while the worker's queue is full. */
    void submit(Slot s) throws DwcpException {
        inFlight.incrementAndGet();
        while (!runtime.runOn(worker, s)) {
            if (stopped) {
                inFlight.decrementAndGet();
                throw new DwcpException(ErrorCode.IO, "reason=session-ended");
            }
            LockSupport.parkNanos(this, PARK_NANOS);
        }
    }

    /**
     * Checks and stores a small RAW block on the reading thread itself. A tree of small files is a block per file,
     * and handing each to the worker cost a wake-up and a context switch per file, more than the check itself;
     * big blocks still go to the worker, where the check overlaps the next read. RAW only: it needs no decoder
     * state, and the slot brings its own CRC state.
     */
    void runInline(Slot s) {
        inFlight.incrementAndGet();
        verify(s);
    }

    /** Blocks of failed files read and dropped, for the session's log. */
    public long droppedBlocks() {
        return dropped.get();
    }

    /** The session ended: what is still queued is dropped, not stored. */
    public void stop() {
        stopped = true;
    }

    /** Heap bytes the worker allocated verifying this session's blocks. */
    public long workerAllocatedBytes() {
        return workerAllocBytes.get();
    }

    /**
     * On the worker (or inline on a stream): verify and store one block, then give the slot back. What the worker
     * allocates is counted by {@link Slot#run}; a stream counts its own thread's, inline blocks included, at detach.
     */
    private void verify(Slot s) {
        try {
            if (!stopped) {
                store(s);
            }
        } catch (DwcpException e) {
            if (session.dropsBlocksOf(s.fileId) || session.failedToStore(s.fileId, e)) {
                dropped.incrementAndGet(); // its file failed while the block was on its way: only it is lost
            } else {
                fail(e.code(), e.getMessage());
            }
        } catch (RuntimeException e) {
            fail(ErrorCode.INTERNAL, "reason=internal detail=\"" + e + "\"");
        } finally {
            free.offer(s);
            if (inFlight.decrementAndGet() == 0 && releaseWanted) {
                releaseOnce();
            }
        }
    }

    /**
     * Gives the slabs back to the pool. The session calls it once every stream has detached; a slot still queued
     * on the worker gives them back when it is done, so no read or verification can touch a slab after that.
     */
    public void release() {
        releaseWanted = true;
        if (inFlight.get() == 0) {
            releaseOnce();
        }
    }

    private void releaseOnce() {
        if (released.compareAndSet(false, true)) {
            releaseSlots();
            decodeSlab.release();
            zeroSlab.release();
            rebuildSlab.release();
        }
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
        if (s.codec.usesBasis()) {
            rebuild(s);
            return;
        }
        ByteBuffer block;
        if (s.landed) {
            session.readBack(s.fileId, s.offset, s.segment, s.length);
            block = s.payload.clear().limit(s.length);
        } else {
            block = decoder.decode(s.codec, s.payload, s.length);
        }
        CRC32C crc = s.checksum;
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
            MemorySegment bytes = block == s.payload ? s.segment : block == decodedView ? decoded : zeros;
            session.onBlock(s.fileId, s.offset, bytes, s.length, s.codec == Codec.ZERO, s.frameBytes);
        }
    }

    /**
     * A page frame: its block is the basis block with the frame's pages put in (PAGES) or XORed in (XOR). It must
     * match the frame's CRC before any of it is written. A PAGES frame for a block the part file still holds as the
     * clone digested for the plan is checked from page sums, and only its pages are touched; any other is rebuilt
     * from the basis block read back.
     */
    private void rebuild(Slot s) throws DwcpException {
        MemorySegment payload;
        int payloadLength;
        if (s.codec.lz4()) {
            payloadLength = decoder.decodePages(s.payload, PageMapDescriptor.maxPayload(s.length)).limit();
            payload = decoded;
        } else {
            payloadLength = s.payload.limit();
            payload = s.segment;
        }
        PageMapDescriptor.readMap(payload, payloadLength, s.length, pageMap);
        boolean xorFrame = s.codec == Codec.XOR || s.codec == Codec.XOR_LZ4;
        DataFile part = session.beginLanding(s.fileId, s.offset, s.length);
        boolean derived;
        try {
            session.checkBasis(s.fileId, s.offset, s.basis);
            PageSums sums = xorFrame ? null : session.pageSums(s.fileId, s.offset, s.length);
            if (sums != null) {
                derived = landFromSums(part, s, payload, s.codec.lz4() ? decodedView : s.payload, sums);
                if (!derived) {
                    return; // a bad CRC: asked for again, nothing written
                }
            } else {
                derived = false;
                if (!rebuildAndLand(part, s, payload, xorFrame)) {
                    return;
                }
            }
        } finally {
            session.endLanding(s.fileId);
        }
        if (derived) {
            session.onDerivedBlock(s.fileId, s.offset, derivedDigest, s.length, s.frameBytes);
        } else {
            session.onLandedBlock(s.fileId, s.offset, rebuild, s.length, s.frameBytes);
        }
    }

    /**
     * A page frame for a block still the clone's (see {@link PageSums}): each changed page is hashed and CRC'd from
     * the frame, each other page's digest and CRC come from {@code sums}; the block's CRC32C is the pages' CRCs
     * combined in order and must match the frame's before anything is written; then the changed pages are written
     * from the frame and their sums replaced, and {@link #derivedDigest} holds the block digest, the hash of the page
     * list. Nothing of the block is read back. False when the CRC did not match (the block is asked for again).
     */
    private boolean landFromSums(DataFile part, Slot s, MemorySegment payload, ByteBuffer payloadView, PageSums sums)
            throws DwcpException {
        int pages = PageMapDescriptor.pages(s.length);
        int first = sums.firstPage((int) (s.offset / blockSize));
        long at = PageMapDescriptor.mapBytes(s.length);
        CRC32C c = s.checksum;
        int blockCrc = 0;
        for (int p = 0; p < pages; p++) {
            int n = PageMapDescriptor.pageLength(s.length, p);
            int pageCrc;
            if (PageMapDescriptor.has(pageMap, p)) {
                Xxh3.hash128(payload, at, n, derivedList, p * BlockDigests.PER_PAGE);
                c.reset();
                c.update(payloadView.limit((int) at + n).position((int) at));
                pageCrc = (int) c.getValue();
                at += n;
            } else {
                sums.digestTo(first + p, derivedList, p * BlockDigests.PER_PAGE);
                pageCrc = sums.crc(first + p);
            }
            derivedCrcs[p] = pageCrc;
            blockCrc = Crc32cCombine.combine(blockCrc, pageCrc, n); // from 0, the CRC of nothing
        }
        payloadView.clear();
        if (blockCrc != s.crc) {
            session.onBadBlock(s.fileId, s.offset, "bad-crc");
            return false;
        }
        writePages(part, s, pages, payload, PageMapDescriptor.mapBytes(s.length));
        for (int p = 0; p < pages; p++) {
            if (PageMapDescriptor.has(pageMap, p)) {
                sums.replace(first + p, derivedList, p * BlockDigests.PER_PAGE, derivedCrcs[p]);
            }
        }
        BlockDigests.ofPageList(derivedList, 0, pages, derivedDigest, 0);
        return true;
    }

    /**
     * A page frame's block rebuilt from its basis block read back (from the part file when it shares the basis, else
     * from the basis file), checked, and written: only its changed pages where the part holds the basis. False when
     * the CRC did not match (the block is asked for again).
     */
    private boolean rebuildAndLand(DataFile part, Slot s, MemorySegment payload, boolean xor) throws DwcpException {
        boolean basisInPart = session.readBasis(s.fileId, s.offset, rebuild, s.length);
        long at = PageMapDescriptor.mapBytes(s.length);
        int pages = PageMapDescriptor.pages(s.length);
        if (xor) {
            DeltaKernels.get().apply(rebuild, 0, s.length, payload, at, pageMap);
        } else {
            for (int p = 0; p < pages; p++) {
                if (PageMapDescriptor.has(pageMap, p)) {
                    int n = PageMapDescriptor.pageLength(s.length, p);
                    MemorySegment.copy(payload, at, rebuild, (long) p * PageMapDescriptor.PAGE, n);
                    at += n;
                }
            }
        }
        CRC32C crc = s.checksum;
        crc.reset();
        crc.update(rebuildView.clear().limit(s.length));
        if ((int) crc.getValue() != s.crc) {
            session.onBadBlock(s.fileId, s.offset, "bad-crc");
            return false;
        }
        if (basisInPart) {
            writePages(part, s, pages, rebuild, -1);
        } else {
            writeBlock(part, s);
        }
        return true;
    }

    private void writeBlock(DataFile part, Slot s) throws DwcpException {
        try {
            part.writeFully(rebuild, 0, s.length, s.offset);
        } catch (IOException e) {
            throw writeFailed(s, e);
        }
    }

    /**
     * Writes the runs of changed pages of block {@code s} into the part file, one write a run: from {@code from}
     * holding the whole block ({@code packedAt} -1), or from {@code from} at {@code packedAt} on, where a page frame
     * carries them one after the other.
     */
    private void writePages(DataFile part, Slot s, int pages, MemorySegment from, long packedAt) throws DwcpException {
        try {
            long at = packedAt;
            int first = PageMapDescriptor.nextIn(pageMap, pages, 0);
            while (first < pages) {
                int end = PageMapDescriptor.nextOut(pageMap, pages, first);
                long start = (long) first * PageMapDescriptor.PAGE;
                int n = (int) (Math.min(s.length, (long) end * PageMapDescriptor.PAGE) - start);
                part.writeFully(from, packedAt < 0 ? start : at, n, s.offset + start);
                at += n;
                first = PageMapDescriptor.nextIn(pageMap, pages, end);
            }
        } catch (IOException e) {
            throw writeFailed(s, e);
        }
    }

    private static DwcpException writeFailed(Slot s, IOException e) {
        return new DwcpException(ErrorCode.IO, "reason=write-failed file=" + s.fileId + " detail=\"" + e.getMessage()
                + "\"");
    }
}
