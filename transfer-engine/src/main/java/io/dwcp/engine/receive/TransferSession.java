package io.dwcp.engine.receive;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.Log;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.core.message.ControlCodec;
import io.dwcp.core.message.Message;
import io.dwcp.engine.receive.data.BlockPipeline;
import io.dwcp.engine.runtime.EngineRuntime;
import io.dwcp.zerocopy.DataFile;
import java.lang.foreign.MemorySegment;
import io.dwcp.engine.receive.data.DataSession;
import io.dwcp.engine.storage.IncomingFile;
import io.dwcp.engine.storage.ReceivingPaths;
import io.dwcp.engine.storage.BasisDigests;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.zerocopy.FileStat;
import io.dwcp.engine.storage.SpaceLedger;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The receiving side of one transfer, from OFFER to DONE. Control messages are handled in order on the
 * session's own thread (file I/O never runs on the event loop); data streams call {@link #onBlock} and
 * {@link #onBadBlock} from their own threads.
 */
public final class TransferSession implements DataSession {
    /** CRC failures a session tolerates before it is judged broken rather than unlucky. */
    static final int MAX_NACKS = 1024;

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
    private final AtomicInteger nacks = new AtomicInteger();
    private final AtomicInteger joinedStreams = new AtomicInteger();
    /** Data-plane threads (streams and the storing stage) still working for this session. */
    private final AtomicInteger dataThreads = new AtomicInteger();
    private final AtomicLong dataHeapAllocBytes = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean dataReported = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<AutoCloseable> attached = new ArrayList<>();

    private volatile State state = State.AWAIT_OFFER;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile int blockSize;
    private volatile IncomingFile[] files = new IncomingFile[0];
    private BlockPipeline pipeline;
    private String dest = "";
    private List<Entry> entries = List.of();
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
        if (state == State.ENDED) {
            return;
        }
        switch (m) {
            case Message.Offer o -> onOffer(o);
            case Message.FileEnd f -> onFileEnd(f);
            case Message.Commit c -> onCommit();
            case Message.Error e -> abort(e.code(), "peer-error " + e.message());
            default -> throw DwcpException.protocol("frame=" + m.type().wireName() + " reason=unexpected state="
                    + state.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private void onOffer(Message.Offer offer) throws IOException {
        if (state != State.AWAIT_OFFER) {
            throw DwcpException.protocol("frame=offer reason=unexpected state=" + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        dest = offer.dest();
        String destDir = root.check(dest);
        if (!dest.isEmpty()) {
            root.ensureParents(destDir, dest);
            root.ensureDirectory(destDir, dest);
        }
        Set<String> seen = new HashSet<>();
        long offered = 0;
        int fileCount = 0;
        for (Entry e : offer.entries()) {
            if (!seen.add(e.path())) {
                throw DwcpException.protocol("frame=offer reason=duplicate-path path=\"" + e.path() + "\"");
            }
            if (e.kind() == EntryKind.FILE) {
                offered += e.size();
                fileCount++;
            }
        }
        int bs = offer.blockSize();
        List<String> targets = new ArrayList<>();
        List<String> shownPaths = new ArrayList<>();
        for (Entry e : offer.entries()) {
            if (e.kind() != EntryKind.DIR) {
                targets.add(root.resolve(dest, e.path()));
                shownPaths.add(e.path());
            }
        }
        receiving.claim(targets, shownPaths, this);
        // What is at each target decides both the space this transfer must have and its plan.
        FileStat[] existing = new FileStat[offer.entries().size()];
        long newBytes = 0;
        for (int i = 0; i < existing.length; i++) {
            Entry e = offer.entries().get(i);
            String target = root.resolve(dest, e.path());
            String shown = e.path();
            root.ensureParents(target, shown);
            switch (e.kind()) {
                case DIR -> root.ensureDirectory(target, shown);
                case SYMLINK -> refuseDirectory(target, shown);
                case FILE -> {
                    FileStat a = root.stat(target, shown).orElse(null);
                    if (a != null && a.isDirectory()) {
                        throw RelativePaths.refused(shown, "exists-as-directory");
                    }
                    if (a != null && a.isRegularFile()) {
                        existing[i] = a;
                    } else {
                        newBytes += e.size();
                    }
                }
            }
        }
        checkPlanFits(existing, fileCount, bs);
        // Claimed before any basis is digested: a transfer without room is refused at once.
        SpaceLedger.Claim claim = ledger.claim(newBytes);
        synchronized (this) {
            if (state == State.ENDED) {
                ledger.release(claim); // aborted meanwhile: end() found no claim to give back
                return;
            }
            spaceClaim = claim;
        }
        // One read buffer for every basis of this offer (not one per file), and each digested block counts as
        // activity: hashing a large existing file must not look like an idle session.
        ByteBuffer scratch = null;
        IncomingFile[] incoming = new IncomingFile[existing.length];
        List<Message.FilePlan> plans = new ArrayList<>(fileCount);
        for (int i = 0; i < incoming.length; i++) {
            Entry e = offer.entries().get(i);
            if (e.kind() != EntryKind.FILE) {
                continue;
            }
            String target = root.resolve(dest, e.path());
            byte[] basis = null;
            long basisSize = 0;
            if (existing[i] != null) {
                basisSize = existing[i].size();
                if (scratch == null) {
                    scratch = ByteBuffer.allocateDirect(bs);
                }
                basis = BasisDigests.digest(root, target, e.path(), basisSize, bs, scratch, this::touch);
                if (state == State.ENDED) {
                    return; // aborted while digesting (idle, stopped, peer gone): nothing more to plan
                }
            }
            incoming[i] = new IncomingFile(i, e, root, target, bs, basis, basisSize);
            plans.add(new Message.FilePlan(i, basis == null ? Message.FilePlan.NEW : Message.FilePlan.BASIS,
                    basisSize, basis == null ? new byte[0] : basis));
        }
        synchronized (this) {
            if (state == State.ENDED) {
                return; // aborted meanwhile: it must stay ended
            }
            entries = offer.entries();
            files = incoming;
            blockSize = bs;
            state = State.RECEIVING;
        }
        LOG.info("session=" + name + " offer files=" + fileCount + " entries=" + entries.size() + " bytes=" + offered
                + " new_bytes=" + newBytes + " block_size=" + bs + " dest=\"" + dest + "\"");
        out.accept(new Message.Plan(plans));
    }

    /**
     * The PLAN carries a digest per block of every file already here; a tree whose digests would not fit in one
     * control frame is refused before they are computed, saying what would make it fit.
     */
    private void checkPlanFits(FileStat[] existing, int files, int bs) throws DwcpException {
        long digestBytes = 0;
        for (FileStat a : existing) {
            if (a != null) {
                digestBytes += ((a.size() + bs - 1) / bs) * BlockDigests.DIGEST_LENGTH;
            }
        }
        long body = ControlCodec.planBodyLength(files, digestBytes);
        if (body > limits.maxControlBody()) {
            throw new DwcpException(ErrorCode.LIMIT, "reason=plan-too-large bytes=" + body + " max_bytes="
                    + limits.maxControlBody() + " block_size=" + bs
                    + " hint=\"a larger --block-size, or the tree in parts\"");
        }
    }

    private void refuseDirectory(String target, String shown) throws DwcpException {
        FileStat a = root.stat(target, shown).orElse(null);
        if (a != null && a.isDirectory()) {
            throw RelativePaths.refused(shown, "exists-as-directory");
        }
    }

    private IncomingFile file(int fileId, String frame) throws DwcpException {
        IncomingFile[] fs = files;
        IncomingFile f = fileId >= 0 && fileId < fs.length ? fs[fileId] : null;
        if (f == null) {
            throw DwcpException.protocol("frame=" + frame + " reason=unknown-file file=" + fileId);
        }
        return f;
    }

    private void onFileEnd(Message.FileEnd end) throws DwcpException {
        if (state != State.RECEIVING) {
            throw DwcpException.protocol("frame=file_end reason=unexpected state=" + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        IncomingFile f = file(end.fileId(), "file_end");
        if (f.expect(end.blocksSent(), end.digest())) {
            finish(f);
        }
    }

    /** Checks a frame's file, offset and length before its payload is read. */
    @Override
    public void checkBlock(int fileId, long offset, int length) throws DwcpException {
        if (state != State.RECEIVING) {
            throw DwcpException.protocol("frame=data reason=unexpected state=" + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        file(fileId, "data").check(offset, length);
    }

    /** A CRC-verified block from a data stream. */
    @Override
    public void onBlock(int fileId, long offset, ByteBuffer block, boolean allZero, int wireLength)
            throws DwcpException {
        touch();
        payloadBytes.addAndGet(wireLength);
        if (state != State.RECEIVING) {
            throw DwcpException.protocol("frame=data reason=unexpected state=" + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        IncomingFile f = file(fileId, "data");
        int length = block.remaining();
        boolean done = f.accept(offset, block, allZero);
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

    /** Completes a file; exactly one caller (data thread or session thread) sends its FILE_DONE. */
    private void finish(IncomingFile f) {
        try {
            if (f.finish()) {
                out.accept(new Message.FileDone(f.id(), Message.FileDone.OK, f.identical() ? "identical" : "written"));
            }
        } catch (DwcpException e) {
            LOG.warn("session=" + name + " file-failed " + e.getMessage());
            out.accept(new Message.FileDone(f.id(), e.code().code(), e.getMessage()));
        }
    }

    private void onCommit() throws IOException {
        if (state != State.RECEIVING) {
            throw DwcpException.protocol("frame=commit reason=unexpected state=" + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        long ok = 0;
        long bytes = 0;
        boolean verified = true;
        for (IncomingFile f : files) {
            if (f == null) {
                continue;
            }
            switch (f.state()) {
                case DONE -> {
                    ok++;
                    bytes += f.entry().size();
                }
                case FAILED -> verified = false;
                case RECEIVING -> throw DwcpException.protocol("frame=commit reason=file-incomplete file=" + f.id());
            }
        }
        List<Integer> dirs = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.kind() == EntryKind.SYMLINK) {
                makeLink(e);
            } else if (e.kind() == EntryKind.DIR) {
                dirs.add(i);
            }
        }
        // Deepest first, so that setting a child's metadata does not disturb its parent's mtime afterwards.
        dirs.sort(Comparator.comparingInt((Integer i) -> entries.get(i).path().split("/").length).reversed());
        for (int i : dirs) {
            Entry e = entries.get(i);
            root.setMetadata(root.resolve(dest, e.path()), e.mode() | 0700, e.mtimeMillis(), false, e.path());
        }
        Message.Done done = new Message.Done(ok, bytes, payloadBytes.get(), verified);
        LOG.info("session=" + name + " done files=" + ok + " bytes=" + bytes + " payload=" + payloadBytes.get()
                + " verified=" + verified);
        if (end(new SessionOutcome(true, verified, ok, bytes, payloadBytes.get(), null))) {
            out.accept(done);
        }
    }

    private void makeLink(Entry e) throws IOException {
        String p = root.resolve(dest, e.path());
        root.ensureParents(p, e.path());
        refuseDirectory(p, e.path());
        // Made under the reserved part name and renamed over the target: a reader never sees a half-made link.
        String tmp = p + IncomingFile.PART_SUFFIX;
        root.deleteQuietly(tmp);
        root.symlink(e.linkTarget(), tmp, e.path());
        root.setMetadata(tmp, 0, e.mtimeMillis(), true, e.path());
        root.rename(tmp, p, e.path());
    }

    /** The session's verifying stage, started with the first data stream; stopped when the session ends. */
    @Override
    public synchronized BlockPipeline pipeline(EngineRuntime runtime) throws IOException {
        if (state == State.ENDED) {
            throw DwcpException.protocol("frame=data reason=session-ended");
        }
        if (pipeline == null) {
            pipeline = new BlockPipeline(this, blockSize, streams, runtime, runtime.dataThreads());
            dataThreads.incrementAndGet();
        }
        return pipeline;
    }

    @Override
    public DataFile beginLanding(int fileId, long offset, int length) throws DwcpException {
        return file(fileId, "data").beginLanding(offset, length);
    }

    @Override
    public void endLanding(int fileId) {
        files[fileId].endLanding();
    }

    @Override
    public void readBack(int fileId, long offset, MemorySegment into, int length) throws DwcpException {
        file(fileId, "data").readBack(offset, into, length);
    }

    @Override
    public void onLandedBlock(int fileId, long offset, ByteBuffer verified, int wireLength) throws DwcpException {
        touch();
        payloadBytes.addAndGet(wireLength);
        IncomingFile f = file(fileId, "data");
        int length = verified.remaining();
        boolean done = f.acceptLanded(offset, verified);
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
            LOG.info("session=" + name + " data end payload=" + payloadBytes.get() + " data_heap_alloc_bytes="
                    + dataHeapAllocBytes.get());
        }
    }

    /** Ends the session with an error: tells the peer, removes every part file, closes its streams. */
    @Override
    public void abort(ErrorCode code, String message) {
        // Only the first failure is reported: streams closed by this abort fail too, and must not speak.
        if (!end(new SessionOutcome(false, false, 0, 0, payloadBytes.get(), message))) {
            return;
        }
        LOG.warn("session=" + name + " aborted code=" + code.name().toLowerCase(java.util.Locale.ROOT) + " " + message);
        for (IncomingFile f : files) {
            if (f != null) {
                f.fail();
            }
        }
        out.accept(new Message.Error(code, message));
    }

    /** The control connection went away: the session is over, whatever state it reached. */
    public void closed() {
        if (state != State.ENDED) {
            abort(ErrorCode.IO, "reason=control-connection-closed");
        }
        executor.shutdown();
        onEnd.accept(this);
    }

    /** Moves to ENDED; returns false when the session had already ended. */
    private boolean end(SessionOutcome o) {
        List<AutoCloseable> toClose;
        SpaceLedger.Claim claim;
        synchronized (this) {
            if (state == State.ENDED) {
                return false;
            }
            state = State.ENDED;
            outcome = o;
            claim = spaceClaim;
            toClose = new ArrayList<>(attached);
            if (pipeline != null) {
                pipeline.stop();
            }
        }
        receiving.release(this);
        if (dataThreads.get() == 0) {
            reportData();
        }
        if (claim != null) {
            ledger.release(claim);
        }
        if (!o.committed()) {
            for (AutoCloseable c : toClose) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing streams of a failed session
                }
            }
        }
        return true;
    }
}
