package io.dwcp.engine.receive;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.Log;
import io.dwcp.core.message.Message;
import io.dwcp.engine.receive.data.BlockPipeline;
import io.dwcp.engine.receive.data.DataSession;
import io.dwcp.engine.runtime.EngineRuntime;
import io.dwcp.engine.storage.IncomingFile;
import io.dwcp.engine.storage.ReceivingPaths;
import io.dwcp.engine.storage.StoreFailures;
import io.dwcp.engine.storage.SpaceLedger;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.zerocopy.DataFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The receiving side of one transfer, from OFFER to DONE. Control messages are handled in order on the
 * session's own thread (file I/O never runs on the event loop); data streams call {@link #onBlock} and
 * {@link #onBadBlock} from their own threads.
 */
public final class TransferSession implements DataSession {
    /** CRC failures a session tolerates before it is judged broken rather than unlucky. */
    static final int MAX_NACKS = 1024;
    /** Deleted paths per DELETED frame: well inside the entry and frame limits a sender applies. */
    static final int DELETED_PER_FRAME = 1024;

    private enum State { AWAIT_OFFER, RECEIVING, ENDED }

    private static final Log LOG = Log.of("session");

    private final byte[] id;
    private final String name;
    private final StorageRoot root;
    private final ReceivingPaths receiving;
    private final SpaceLedger ledger;
    private final Limits limits;
    private final int streams;
    private final Consumer<Message> out;
    private final Consumer<TransferSession> onEnd;
    private final ExecutorService executor;
    private final AtomicLong payloadBytes = new AtomicLong();
    /** Page-frame blocks checked from their clone's page sums, not read back (see {@code PageSums}). */
    private final java.util.concurrent.atomic.AtomicLong blocksFromSums = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicInteger nacks = new AtomicInteger();
    private final AtomicInteger joinedStreams = new AtomicInteger();
    /** Data streams still working for this session (verification runs on the shared pinned workers). */
    private final AtomicInteger dataThreads = new AtomicInteger();
    private final AtomicLong dataHeapAllocBytes = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean dataReported = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<AutoCloseable> attached = new ArrayList<>();
    private final InFlightFiles files;
    /** A block read for REFINE answers, on the session thread only; freed when the session ends. */
    private final java.lang.foreign.Arena refineArena = java.lang.foreign.Arena.ofShared();
    private MemorySegment refineBuffer;
    /** Set by the first OFFER; used on the session thread only. */
    private BatchPlanner planner;
    /** Group commit of verified files (flush, rename, directory flush); set by the first OFFER without NO_FSYNC. */
    private volatile DurableRenames renames;
    /** The first failure; set once, from any thread, by {@link #abort}. */
    private final AtomicReference<Failure> failure = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);

    private record Failure(ErrorCode code, String message) {
    }

    private volatile State state = State.AWAIT_OFFER;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile int blockSize;
    private BlockPipeline pipeline;
    private String dest = "";
    private SessionOutcome outcome;
    private volatile SpaceLedger.Claim spaceClaim;

    public TransferSession(byte[] id, String name, StorageRoot root, ReceivingPaths receiving, SpaceLedger ledger,
                           Limits limits, int streams, Consumer<Message> out, Consumer<TransferSession> onEnd) {
        this.id = id;
        this.name = name;
        this.root = root;
        this.receiving = receiving;
        this.ledger = ledger;
        this.limits = limits;
        this.streams = streams;
        this.out = out;
        this.onEnd = onEnd;
        this.files = new InFlightFiles(receiving, this);
        this.executor = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("dwcp-session-" + name).factory());
    }

    public byte[] id() {
        return id;
    }

    public String name() {
        return name;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public int streams() {
        return streams;
    }

    public long lastActivityNanos() {
        return lastActivityNanos;
    }

    public void touch() {
        lastActivityNanos = System.nanoTime();
    }

    public synchronized SessionOutcome outcome() {
        return outcome;
    }

    /** Queues a control message for in-order handling on the session thread. */
    public void submit(Message m) {
        touch();
        if (state == State.ENDED) {
            return;
        }
        executor.execute(() -> {
            try {
                handle(m);
            } catch (DwcpException e) {
                abort(e.code(), e.getMessage());
            } catch (IOException e) {
                abort(ErrorCode.IO, "reason=io detail=\"" + e.getMessage() + "\"");
            } catch (RuntimeException e) {
                abort(ErrorCode.INTERNAL, "reason=internal detail=\"" + e + "\"");
            }
        });
    }

    private void handle(Message m) throws IOException {
        if (abandoned()) {
            return;
        }
        switch (m) {
            case Message.Offer o -> onOffer(o);
            case Message.FileEnd f -> onFileEnd(f);
            case Message.Refine r -> onRefine(r);
            case Message.Commit c -> onCommit();
            case Message.Error e -> abort(e.code(), "peer-error " + e.message());
            default -> throw DwcpException.protocol("frame=" + m.type().wireName() + " reason=unexpected state="
                    + state.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /**
     * One batch of the file list: the first sets the session up, every batch is planned and answered with its
     * PLAN while earlier batches' data still flows.
     */
    private void onOffer(Message.Offer offer) throws IOException {
        if (state == State.ENDED) {
            return;
        }
        int n = offer.entries().size();
        files.checkOffer(offer.firstId(), n);
        if (renames == null && !offer.has(Message.Offer.NO_FSYNC)) {
            // before anything is written: the syncfs handle reports writeback errors from its opening on
            DurableRenames r = new DurableRenames(name, DurableRenames.syncer(root), this::committed);
            synchronized (this) {
                if (state == State.ENDED) {
                    r.close();
                    return;
                }
                renames = r;
            }
            files.durableRenames(r);
        }
        if (planner == null) {
            planner = new BatchPlanner(root, receiving, this, offer, limits.maxControlBody());
        }
        BatchPlanner.Planned p = planner.plan(offer, this::claimSpace, this::touch, this::abandoned);
        if (p == null) {
            return;
        }
        if (files.planned(offer.firstId(), n, p) > 0) {
            for (Message.FilePlan line : p.plan().files()) {
                if (line.action() == Message.FilePlan.FAILED) {
                    LOG.warn("session=" + name + " entry-failed " + line.detail());
                }
            }
        }
        synchronized (this) {
            if (state == State.AWAIT_OFFER) {
                dest = offer.dest();
                blockSize = offer.blockSize();
                state = State.RECEIVING;
                LOG.info("session=" + name + " offer block_size=" + blockSize + " flags=" + offer.flags() + " dest=\""
                        + dest + "\"");
            }
        }
        out.accept(p.plan());
        List<String> deleted = p.deleted();
        for (int i = 0; i < deleted.size(); i += DELETED_PER_FRAME) {
            out.accept(new Message.Deleted(List.copyOf(deleted.subList(i, Math.min(deleted.size(), i + DELETED_PER_FRAME)))));
        }
    }

    /** New files of a batch take space: the session's claim grows by as much, or the batch is refused. */
    private void claimSpace(long bytes) throws DwcpException {
        if (spaceClaim == null) {
            spaceClaim = ledger.claim(bytes);
        } else if (bytes > 0) {
            ledger.grow(spaceClaim, bytes);
        }
    }

    /** An abort was asked for (or the session ended): long work on the session thread stops early. */
    private boolean abandoned() {
        return failure.get() != null || state == State.ENDED;
    }

    private IncomingFile file(int fileId, String frame) throws DwcpException {
        return files.file(fileId, frame);
    }

    private void onFileEnd(Message.FileEnd end) throws DwcpException {
        if (state != State.RECEIVING) {
            throw DwcpException.protocol("frame=file_end reason=unexpected state=" + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        IncomingFile f = file(end.fileId(), "file_end");
        if (end.blocksSent() == Message.FileEnd.ABANDONED) {
            out.accept(files.abandoned(f));
            return;
        }
        if (f.expect(end.blocksSent(), end.digest())) {
            finish(f);
        }
    }

    /**
     * The sender asks for the page digests of changed blocks of a file with a basis. A file that failed meanwhile
     * gets no answer (its FILE_DONE has told the sender); its blocks are not sent any more.
     */
    private void onRefine(Message.Refine r) throws DwcpException {
        if (state != State.RECEIVING) {
            throw DwcpException.protocol("frame=refine reason=unexpected state=" + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        IncomingFile f = file(r.fileId(), "refine");
        if (f.state() != IncomingFile.State.RECEIVING) {
            return;
        }
        if (refineBuffer == null) {
            refineBuffer = refineArena.allocate(blockSize, 4096);
        }
        out.accept(new Message.PageDigests(r.fileId(), r.blocks(), f.pageDigests(r.blocks(), refineBuffer)));
    }

    @Override
    public void checkBasis(int fileId, long offset, byte[] basisDigest) throws DwcpException {
        file(fileId, "data").checkBasis(offset, basisDigest);
    }

    @Override
    public io.dwcp.core.digest.PageSums pageSums(int fileId, long offset, int length) throws DwcpException {
        return file(fileId, "data").sumsFor(offset, length);
    }

    @Override
    public void onDerivedBlock(int fileId, long offset, byte[] digest, int length, int wireLength)
            throws DwcpException {
        touch();
        payloadBytes.addAndGet(wireLength);
        IncomingFile f = file(fileId, "data");
        blocksFromSums.incrementAndGet();
        if (f.acceptDerived(offset, digest, length)) {
            finish(f);
        }
    }

    @Override
    public boolean readBasis(int fileId, long offset, MemorySegment into, int length) throws DwcpException {
        return file(fileId, "data").readBasis(offset, into, length);
    }

    /** Checks a frame's file, offset and length before its payload is read. */
    @Override
    public void checkBlock(int fileId, long offset, int length) throws DwcpException {
        if (state != State.RECEIVING) {
            throw DwcpException.protocol("frame=data reason=unexpected state=" + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        file(fileId, "data").check(offset, length);
    }

    @Override
    public boolean dropsBlocksOf(int fileId) {
        IncomingFile f = files.slot(fileId);
        return f != null && f.id() == fileId && f.state() == IncomingFile.State.FAILED;
    }

    @Override
    public boolean failedToStore(int fileId, DwcpException e) {
        if (!StoreFailures.onlyThisFile(e)) {
            return false;
        }
        IncomingFile f = files.slot(fileId);
        if (f == null || f.id() != fileId) {
            return false;
        }
        fileDone(files.storeFailed(f, e));
        return true;
    }

    /** A CRC-verified block from a data stream. */
    @Override
    public void onBlock(int fileId, long offset, MemorySegment block, int length, boolean allZero, int wireLength)
            throws DwcpException {
        touch();
        payloadBytes.addAndGet(wireLength);
        if (state != State.RECEIVING) {
            throw DwcpException.protocol("frame=data reason=unexpected state=" + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        IncomingFile f = file(fileId, "data");
        boolean done = f.accept(offset, block, length, allZero);
        if (f.isNew()) {
            spaceClaim.wrote(length);
        }
        if (done) {
            finish(f);
        }
    }

    /** A block whose CRC did not match after decoding: not written, the sender is asked to send it again. */
    @Override
    public void onBadBlock(int fileId, long offset, String reason) throws DwcpException {
        touch();
        file(fileId, "data");
        int n = nacks.incrementAndGet();
        LOG.warn("session=" + name + " block-rejected file=" + fileId + " offset=" + offset + " reason=" + reason
                + " nacks=" + n);
        if (n > MAX_NACKS) {
            throw new DwcpException(ErrorCode.VERIFY, "reason=too-many-bad-blocks count=" + n + " max=" + MAX_NACKS);
        }
        out.accept(new Message.BlockNack(fileId, offset, reason));
    }

    /**
     * Completes a file; exactly one caller (data thread or session thread) sends its FILE_DONE, or hands the verified
     * file to {@link DurableRenames}, which sends it through {@link #committed} once the file is durably in place.
     */
    private void finish(IncomingFile f) {
        fileDone(files.finish(f));
    }

    /** A durable file's end, on the committing thread: in place after its flush and rename, or failed. */
    private void committed(IncomingFile f, DwcpException error) {
        Message.FileDone d = files.committed(f, error);
        if (failure.get() == null) { // an aborted session has said ERROR: no FILE_DONE after it
            fileDone(d);
        }
    }

    private void fileDone(Message.FileDone d) {
        if (d != null) {
            if (d.status() != Message.FileDone.OK) {
                LOG.warn("session=" + name + " file-failed " + d.detail());
            }
            out.accept(d);
        }
    }

    private void onCommit() throws IOException {
        if (state != State.RECEIVING) {
            throw DwcpException.protocol("frame=commit reason=unexpected state=" + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        DurableRenames r = renames;
        if (r != null) {
            try {
                r.drain(); // every verified file in place before hard links are made to them, and before DONE
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DwcpException(ErrorCode.IO, "reason=interrupted-at-commit");
            }
            if (abandoned()) {
                return; // aborted while the last batch was committed: no links, no DONE
            }
        }
        files.checkDrained();
        TreeCommitter committer = planner.committer();
        for (String failed : committer.commit()) {
            LOG.warn("session=" + name + " commit-failed " + failed);
            files.failedAtCommit();
        }
        if (r != null && committer.changedAny()) {
            try {
                r.syncTree(committer.touchedDirectories()); // hard links, directory modes and times, symlinks
            } catch (DwcpException e) {
                LOG.warn("session=" + name + " commit-failed " + e.getMessage());
                files.failedAtCommit();
            }
        }
        boolean verified = files.failed() == 0;
        long ok = files.filesOk();
        long bytes = files.bytesOk();
        Message.Done done = new Message.Done(ok, bytes, payloadBytes.get(), verified);
        LOG.info("session=" + name + " done entries=" + files.offered() + " files=" + ok + " bytes=" + bytes
                + " payload=" + payloadBytes.get() + " failed=" + files.failed()
                + (planner != null && planner.skippedXattrs() > 0 ? " xattrs_skipped=" + planner.skippedXattrs() : "")
                + (blocksFromSums.get() > 0 ? " blocks_from_sums=" + blocksFromSums.get() : "")
                + (r == null ? " durable=off" : " " + r.stats()));
        if (end(new SessionOutcome(true, verified, ok, bytes, payloadBytes.get(), files.failed(), files.verifyFailed(),
                null))) {
            out.accept(done);
            ended.countDown();
        }
    }

    /** The session's verifying stage, started with the first data stream; stopped when the session ends. */
    @Override
    public synchronized BlockPipeline pipeline(EngineRuntime runtime) throws IOException {
        if (state == State.ENDED) {
            throw DwcpException.protocol("frame=data reason=session-ended");
        }
        if (pipeline == null) {
            pipeline = new BlockPipeline(this, blockSize, streams, runtime);
        }
        return pipeline;
    }

    @Override
    public DataFile beginLanding(int fileId, long offset, int length) throws DwcpException {
        return file(fileId, "data").beginLanding(offset, length);
    }

    @Override
    public void endLanding(int fileId) {
        files.slot(fileId).endLanding(); // the landing holds the file: it cannot finish meanwhile
    }

    @Override
    public void readBack(int fileId, long offset, MemorySegment into, int length) throws DwcpException {
        file(fileId, "data").readBack(offset, into, length);
    }

    @Override
    public void onLandedBlock(int fileId, long offset, MemorySegment verified, int length, int wireLength)
            throws DwcpException {
        touch();
        payloadBytes.addAndGet(wireLength);
        IncomingFile f = file(fileId, "data");
        boolean done = f.acceptLanded(offset, verified, length);
        if (f.isNew()) {
            spaceClaim.wrote(length);
        }
        if (done) {
            finish(f);
        }
    }

    @Override
    public synchronized boolean attach(AutoCloseable stream) {
        if (state == State.ENDED || joinedStreams.incrementAndGet() > streams) {
            return false;
        }
        attached.add(stream);
        dataThreads.incrementAndGet();
        return true;
    }

    @Override
    public void detach(long heapAllocBytes) {
        dataHeapAllocBytes.addAndGet(heapAllocBytes);
        if (dataThreads.decrementAndGet() == 0 && state == State.ENDED) {
            reportData();
        }
    }

    /**
     * Once the session has ended and its last data thread has left: what the data plane allocated on the heap
     * for it (the steady state should allocate nothing), for benchmarks and for anyone watching memory.
     */
    private void reportData() {
        if (dataReported.compareAndSet(false, true)) {
            BlockPipeline p;
            synchronized (this) {
                p = pipeline;
            }
            if (p != null) {
                p.release(); // every data thread has left: no read into its slabs can still be in flight
            }
            long workers = p == null ? 0 : p.workerAllocatedBytes();
            long dropped = p == null ? 0 : p.droppedBlocks();
            LOG.info("session=" + name + " data end payload=" + payloadBytes.get() + " data_heap_alloc_bytes="
                    + (dataHeapAllocBytes.get() + workers) + (dropped > 0 ? " dropped_blocks=" + dropped : ""));
        }
    }

    /**
     * Ends the session with an error: the first reason wins. Any thread may ask (a stream, the verifier, the control
     * connection, a stopping server); the streams are woken at once, and the session's own thread tells the peer,
     * removes every part file and ends the session, so its state has one owner.
     */
    @Override
    public void abort(ErrorCode code, String message) {
        if (state == State.ENDED || !failure.compareAndSet(null, new Failure(code, message))) {
            return;
        }
        closeStreams();
        onSessionThread(this::finishAbort);
    }

    private void finishAbort() {
        Failure f = failure.get();
        if (!end(new SessionOutcome(false, false, 0, 0, payloadBytes.get(), 0, 0, f.message()))) {
            return;
        }
        files.interruptAll(); // part files settled (journals written, the rest removed) before the line says so
        LOG.warn("session=" + name + " aborted code=" + f.code().name().toLowerCase(java.util.Locale.ROOT) + " "
                + f.message());
        out.accept(new Message.Error(f.code(), f.message()));
        ended.countDown(); // after the peer was told and the part files are gone
    }

    /** Runs {@code r} on the session thread, after what is queued there; inline once that thread is gone. */
    private void onSessionThread(Runnable r) {
        try {
            executor.execute(r);
        } catch (RejectedExecutionException shutDown) {
            r.run();
        }
    }

    /** Closing a stream's socket wakes its thread wherever it is blocked; safe from any thread. */
    private void closeStreams() {
        List<AutoCloseable> toClose;
        BlockPipeline p;
        synchronized (this) {
            toClose = new ArrayList<>(attached);
            p = pipeline;
        }
        if (p != null) {
            p.stop();
        }
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing streams of a failed session
            }
        }
    }

    /** The control connection went away: the session is over, whatever state it reached. */
    public void closed() {
        abort(ErrorCode.IO, "reason=control-connection-closed");
        onSessionThread(() -> onEnd.accept(this));
        executor.shutdown();
    }

    /** Waits up to {@code millis} for the session to end (a stopping server waits for its part files to go). */
    public boolean awaitEnded(long millis) throws InterruptedException {
        return ended.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Moves to ENDED; returns false when the session had already ended. */
    private boolean end(SessionOutcome o) {
        SpaceLedger.Claim claim;
        DurableRenames r;
        synchronized (this) {
            if (state == State.ENDED) {
                return false;
            }
            state = State.ENDED;
            outcome = o;
            claim = spaceClaim;
            r = renames;
            if (pipeline != null) {
                pipeline.stop();
            }
        }
        if (r != null) {
            r.close(); // files still waiting in a batch are interrupted with the others (finishAbort)
        }
        receiving.release(this);
        onSessionThread(refineArena::close);
        if (dataThreads.get() == 0) {
            reportData();
        }
        if (claim != null) {
            ledger.release(claim);
        }
        return true;
    }
}
