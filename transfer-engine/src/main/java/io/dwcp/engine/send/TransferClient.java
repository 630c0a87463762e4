package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.codec.CompressMode;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.digest.Xxh3;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.OwnerNames;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.message.Message;
import io.dwcp.engine.owners.Accounts;
import io.dwcp.engine.owners.OwnerNaming;
import io.dwcp.engine.runtime.EngineRuntime;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import io.dwcp.zerocopy.ZeroCopyStats;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sending side of one transfer: HELLO, OFFER, PLAN, N data streams pulling blocks from a shared cursor,
 * FILE_END per file, FILE_DONE from the receiver, COMMIT, DONE.
 */
public final class TransferClient {
    /** {@link Options#streams()} value that lets {@link #streamsFor} choose from the path. */
    public static final int AUTO_STREAMS = 0;
    /** Streams asked for over a real network: enough to keep a long, lossy path busy without a tuned window. */
    static final int NETWORK_STREAMS = 4;

    /** Entries per OFFER batch: small enough that data starts at once, large enough to amortise a round trip. */
    static final int BATCH_ENTRIES = 2048;
    /** Batches offered and not yet planned: one being planned at the receiver, one waiting there. */
    static final int PLANS_AHEAD = 2;
    /** A batch ends early once its files total this much, so its PLAN's basis digests stay a modest frame. */
    static final long BATCH_BYTES = 16L << 30;

    /**
     * @param streams   data streams to ask for, or {@link #AUTO_STREAMS}
     * @param compress  compression policy
     * @param blockSize block size for this transfer
     * @param token     shared secret, empty for none
     * @param limits    bounds applied to what the server sends back
     * @param io        the data plane's I/O path: the native one ({@code sendfile}, {@code MSG_ZEROCOPY}) where
     *                  it works, or the portable JDK one
     * @param flags     OFFER flags ({@link Message.Offer#CHECKSUM}, {@code IGNORE_TIMES}, {@code DELETE},
     *                  {@code DRY_RUN}, {@code XATTRS} (the source must then read attributes), {@code NUMERIC_IDS}:
     *                  without it each batch names its owners and groups)
     * @param filters   the filter rules as rule lines ({@link io.dwcp.core.manifest.FilterRules#lines()}): the
     *                  receiver spares what they exclude from {@code --delete}
     * @param itemize   receives rsync-style {@code --itemize-changes} lines, or null
     */
    public record Options(int streams, CompressMode compress, int blockSize, byte[] token, Limits limits, IoMode io,
                          int flags, List<String> filters, java.util.function.Consumer<String> itemize,
                          boolean delta, java.nio.file.Path base) {
        /** Deltas on ({@code --delta auto}). */
        public Options(int streams, CompressMode compress, int blockSize, byte[] token, Limits limits, IoMode io,
                       int flags, List<String> filters, java.util.function.Consumer<String> itemize) {
            this(streams, compress, blockSize, token, limits, io, flags, filters, itemize, true, null);
        }

        /** The best I/O path here ({@link IoMode#AUTO}), no tree options. */
        public Options(int streams, CompressMode compress, int blockSize, byte[] token, Limits limits) {
            this(streams, compress, blockSize, token, limits, IoMode.AUTO);
        }

        public Options(int streams, CompressMode compress, int blockSize, byte[] token, Limits limits, IoMode io) {
            this(streams, compress, blockSize, token, limits, io, 0, List.of(), null);
        }

        boolean dryRun() {
            return (flags & Message.Offer.DRY_RUN) != 0;
        }
    }

    private final Options options;
    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    private final SendTally tally;

    private volatile boolean stop;
    /** Every source read and offered. */
    private volatile boolean walked;
    private volatile String failure;
    private volatile int failureExit;
    private volatile String serverError;
    private volatile ErrorCode serverErrorCode;
    private volatile Message.Done done;
    private volatile ControlConnection control;
    /** The data streams, opened when a file first has blocks to send; null in a dry run or before the first PLAN. */
    private volatile StreamGroup streams;
    private final EngineRuntime sharedRuntime;
    private volatile String ioPath = "";
    private volatile boolean finished;
    private volatile BlockSchedule schedule;
    private volatile Refiner refiner;
    private SenderBasis base;
    private volatile SendWindow sendWindow;
    private volatile IoPaths io;
    /**
     * The data plane's start: begun with the transfer for files, and for a tree only when a PLAN first gives a file
     * blocks to send (an identical re-sync of a 100,000-file tree never needs it: its socket probe and slab pool
     * were 40-70 ms of CPU that the walk, on two CPUs, waited for).
     */
    private volatile RuntimeStart starting;
    /** What opening the data streams needs, set at the first PLAN; null in a dry run. */
    private volatile StreamsDue streamsDue;

    private record StreamsDue(InetAddress addr, Message.Welcome welcome, int wanted) {
    }

    /** Set once the data plane has been asked for streams; only the thread applying PLANs reads or sets it. */
    private boolean streamsRequested;
    /** Orders making the stream group against the end of the transfer ({@link #stop}). */
    private final Object streamsLock = new Object();
    private long nextId;
    /** Names of the batches' owners and groups; null with {@code --numeric-ids}. */
    private OwnerNaming naming;
    private int scanErrors;
    private List<String> skipped;

    /** A client that starts its own small {@link EngineRuntime} per transfer (see {@link EngineRuntime#client}). */
    public TransferClient(Options options) {
        this(options, null);
    }

    /**
     * A client on a runtime the caller owns (and closes), e.g. a server that also sends; its I/O path wins over
     * {@link Options#io()}.
     */
    public TransferClient(Options options, EngineRuntime runtime) {
        this.options = options;
        this.sharedRuntime = runtime;
        this.tally = new SendTally(options.itemize(), options.dryRun(), (options.flags() & Message.Offer.CHECKSUM) != 0);
    }

    /** Logical bytes handled so far (sent or found unchanged), for progress display. */
    public long progressBytes() {
        return tally.progressBytes.get();
    }

    /** File bytes offered so far (the tree is read while it is sent, so this grows until {@link #walked}). */
    public long totalBytes() {
        return tally.totalBytes.get();
    }

    /** True once every source has been read and offered: {@link #totalBytes} is then the whole transfer's. */
    public boolean walked() {
        return walked;
    }

    /** Warnings from the receiver (an entry it skipped, such as a device when it is not root). */
    public List<String> warnings() {
        return List.copyOf(tally.warnings);
    }

    public long wireBytes() {
        return tally.wireBytes.get();
    }

    /**
     * The streams to ask for. An explicit count is kept. Over loopback both ends share this machine's cores and
     * there is no round trip to hide, so for big files each extra stream only adds a sending, a reading thread and
     * cache traffic: one stream per four cores, at most {@link #NETWORK_STREAMS}. A tree is different: every small
     * file costs work on the receiving stream's thread (its part file made, written, verified), which a second
     * stream spreads over a second core (100,000-file tree, 2 CPUs: 6.7 s with one stream, 4.6 s with two; a
     * 1 GiB file: 0.9-1.25 s with one, 1.3-1.7 s with two). Over a network, {@link #NETWORK_STREAMS}.
     */
    static int streamsFor(int requested, InetAddress addr, int cores, boolean tree) {
        if (requested != AUTO_STREAMS) {
            return requested;
        }
        if (!addr.isLoopbackAddress()) {
            return NETWORK_STREAMS;
        }
        return Math.max(tree ? Math.min(2, cores) : 1, Math.min(NETWORK_STREAMS, cores / 4));
    }

    /**
     * Whether whole blocks go uncompressed: with {@code --compress auto} over loopback, where there is no wire to
     * save and LZ4 only costs the sender CPU (rsync, too, compresses only when asked). Measured on this machine's
     * /usr/share (46,438 files, mostly text and gzip): LZ4 was 44% of the client's data-thread CPU samples on a first
     * copy. Pages of refined blocks are still compressed where it pays: a delta is judged by its bytes.
     */
    static boolean rawBlocksFor(CompressMode mode, InetAddress addr) {
        return mode == CompressMode.AUTO && addr.isLoopbackAddress();
    }

    /**
     * Whether RAW blocks leave by {@code sendfile}: where this machine has it and the peer is not this machine.
     * Over loopback it saves no copy and costs both ends CPU (see {@link FrameSender}).
     */
    static boolean sendfileFor(boolean available, InetAddress addr) {
        return available && !addr.isLoopbackAddress();
    }

    /** Runs the whole transfer of a manifest held in memory (see {@link #send(EntrySource, Target)}). */
    public TransferResult send(Manifest manifest, Target target) {
        return send(manifest.source(), target);
    }

    /**
     * Runs the whole transfer: entries are read from {@code source} batch by batch and offered while earlier
     * batches' data flows. Never throws for remote or network failures, which land in the result.
     */
    public TransferResult send(EntrySource source, Target target) {
        long start = System.nanoTime();
        lastActivity.set(start);
        Thread watchdog = Thread.ofPlatform().daemon().name("dwcp-watchdog").start(this::watch);
        Thread reader = null;
        DigestAhead ahead = null;
        // The walk starts now, beside the connection's set-up, and keeps PLANS_AHEAD batches ready.
        BatchPrefetcher batches = new BatchPrefetcher(source, Math.min(BATCH_ENTRIES, options.limits().maxEntries()),
                BATCH_BYTES, PLANS_AHEAD);
        try {
            InetAddress addr = ControlConnection.resolve(target.host());
            int wanted = streamsFor(options.streams(), addr, Runtime.getRuntime().availableProcessors(), source.tree());
            // The data plane's start (probing the I/O path, making native call handles: 0.1-0.2 s cold) overlaps
            // the control handshake and the first batch; data streams wait for it only after the first PLAN.
            if (!source.tree()) {
                starting = beginRuntime(wanted);
            }
            control = ControlConnection.open(addr, target.port(), options.limits(), tally.wireBytes,
                    () -> lastActivity.set(System.nanoTime()));
            sendControl(new Message.Hello("dwcp-cli/" + FrameDescriptor.VERSION, options.token(), wanted));
            Message.Welcome welcome = expect(readControl(), Message.Welcome.class);
            schedule = new BlockSchedule(options.blockSize());
            refiner = new Refiner(this::sendControl, schedule, options.blockSize(), options.limits().maxControlBody());
            if (options.base() != null) {
                base = SenderBasis.open(options.base(), options.blockSize(),
                        IoPaths.forSending(options.io()));
            }
            sendWindow = new SendWindow(options.blockSize(), options.delta(), base);
            // The first batch goes even when empty: the receiver learns DEST, block size and options from it.
            EntrySource.Batch batch = batches.next();
            warmUpDigestsFor(batch);
            long firstId = nextId;
            offer(target, batch == null ? new EntrySource.Batch(List.of(), List.of()) : batch);
            if (batch != null && !options.dryRun()) {
                // The receiver may now read its copies of big files before it answers: read ours meanwhile.
                ahead = DigestAhead.start(firstId, batch, options.blockSize(), options.io());
            }
            Message.Plan first = expect(readControl(), Message.Plan.class);
            sendWindow.plan(first, schedule, this::openSource, events, ahead);
            if (!options.dryRun()) {
                streamsDue = new StreamsDue(addr, welcome, wanted);
                openStreamsIfDue();
            }
            reader = Thread.ofPlatform().daemon().name("dwcp-control-reader").start(this::readLoop);
            while (batch != null && failure == null) {
                batch = batches.next();
                if (batch != null) {
                    long end = nextId + batch.entries().size();
                    while (failure == null && !sendWindow.window().awaitFits(end, 100)) {
                        // the receiver is behind by a whole window: wait for files to finish
                    }
                    while (failure == null && !sendWindow.awaitPlansBelow(PLANS_AHEAD, 100)) {
                        // the receiver is still planning earlier batches: this one would only wait there
                    }
                    if (failure == null) {
                        offer(target, batch);
                    }
                }
            }
            walked = batch == null;
            batches.close(); // the walk has ended: its skipped list is complete
            scanErrors = countScanErrors(source.skipped());
            skipped = List.copyOf(source.skipped());
            while (failure == null && !sendWindow.window().awaitDrained(100)) {
                // every entry offered; waiting for the last files to finish
            }
            stopSenders();
            StreamGroup group = streams;
            if (group != null) {
                for (Thread t : group.close()) {
                    t.join();
                }
                group.closeSockets();
            }
            if (failure != null) {
                // The server usually says why right before it closes: give its ERROR a moment to arrive.
                reader.join(1000);
            } else {
                sendControl(new Message.Commit());
                reader.join(options.limits().idleTimeoutMillis());
                if (done == null && failure == null) {
                    fail("reason=no-done-from-server", TransferResult.EXIT_FAILED);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("reason=interrupted", TransferResult.EXIT_FAILED);
        } catch (DwcpException e) {
            fail(e.getMessage(), e.code() == ErrorCode.VERIFY ? TransferResult.EXIT_VERIFY : TransferResult.EXIT_FAILED);
        } catch (IOException e) {
            fail("reason=io detail=\"" + e.getMessage() + "\"", TransferResult.EXIT_FAILED);
        } finally {
            synchronized (streamsLock) {
                stop = true; // no stream group is made from now on
            }
            if (ahead != null) {
                ahead.stop();
            }
            batches.close();
            source.close();
            StreamGroup group = streams;
            if (group != null) {
                group.closeSockets();
                joinQuietly(group.close());
            }
            RuntimeStart started = starting;
            if (started != null) {
                started.close(); // after the streams: their slabs are back in the pool
            }
            if (control != null) {
                control.close();
            }
            if (sendWindow != null) {
                sendWindow.forEachInFlight(OutgoingFile::retire);
            }
            if (base != null) {
                base.close();
            }
        }
        finished = true;
        watchdog.interrupt();
        if (reader != null) {
            try {
                reader.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (skipped == null) {
            skipped = List.copyOf(source.skipped());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String error = serverError != null ? "server: " + serverError : failure;
        boolean partial = scanErrors > 0 || !tally.failedFiles.isEmpty();
        boolean verified = error == null && done != null && done.verified() && tally.failedFiles.isEmpty();
        int exit = error == null && done != null && !partial ? TransferResult.EXIT_OK
                : serverErrorCode != null ? (serverErrorCode == ErrorCode.VERIFY ? TransferResult.EXIT_VERIFY : TransferResult.EXIT_FAILED)
                : error == null && done != null && tally.anyVerifyFailure() ? TransferResult.EXIT_VERIFY
                : error == null && done != null ? TransferResult.EXIT_PARTIAL
                : failureExit != 0 ? failureExit : TransferResult.EXIT_FAILED;
        StreamGroup group = streams;
        return tally.result(seconds, verified, group == null ? 0 : group.opened(), error, skipped, exit, ioPath, nextId);
    }

    /**
     * Bytes offered in the first batch from which the vector digest loop is compiled while the receiver plans. Below
     * this the scalar loop digests everything: the compilation and warm-up (about 0.4 CPU-s) pay back only after
     * some 7 GiB at 0.06 CPU-s per GiB (see {@code Xxh3.SCALAR_FIRST_BYTES}; a 4 GiB send measured the same wall
     * time either way, 0.2 CPU-s more with it).
     */
    static final long VECTOR_WARMUP_BYTES = 8L << 30;

    /**
     * A send of big files hashes gigabytes: the vector XXH3 loop, compiled on a background thread while the receiver
     * plans, then digests them at three times the scalar loop's speed. Smaller sends and trees of small files leave
     * it alone (their short life does not pay for the compilation).
     */
    private static void warmUpDigestsFor(EntrySource.Batch batch) {
        long bytes = 0;
        if (batch != null) {
            for (Entry e : batch.entries()) {
                bytes += e.size();
            }
        }
        if (bytes >= VECTOR_WARMUP_BYTES) {
            Thread.ofPlatform().daemon().name("dwcp-digest-warmup").start(() -> Xxh3.warmUpVectorPath(3000));
        }
    }

    private void offer(Target target, EntrySource.Batch batch) throws IOException {
        tally.offered(batch.entries());
        sendWindow.offered(nextId, batch);
        if (naming == null && (options.flags() & Message.Offer.NUMERIC_IDS) == 0) {
            naming = new OwnerNaming(Accounts.system());
        }
        sendControl(new Message.Offer(target.dest(), options.blockSize(), options.flags(), (int) nextId,
                nextId == 0 ? options.filters() : List.of(),
                naming == null ? OwnerNames.NONE : naming.names(batch.entries()), batch.entries()));
        nextId += batch.entries().size();
    }

    /**
     * Entries the walk left out that the user did not ask to leave out: all but the links {@code --safe-links}
     * skips. Any of them (unreadable, vanished, a name not in the file-name charset, a path too long, a reserved
     * name) makes the transfer partial, as rsync's exit 23 says; a name skipped with only a warning on stderr and
     * exit 0 went unnoticed by scripts.
     */
    static int countScanErrors(List<String> skipped) {
        int n = 0;
        for (String s : skipped) {
            if (!s.contains("reason=unsafe-link")) {
                n++;
            }
        }
        return n;
    }

    /** PLAN lines go to the tally; an empty file's FILE_END goes at once. */
    private final SendWindow.Events events = new SendWindow.Events() {
        @Override
        public void planned(Entry e, Message.FilePlan line) {
            tally.planned(e, line);
        }

        @Override
        public void emptyFile(OutgoingFile f) throws IOException {
            sendControl(new Message.FileEnd(f.id, 0, f.fileDigest()));
        }

        @Override
        public void baseMismatch(Entry e) {
            tally.warnings.add("path=\"" + e.path() + "\" reason=base-mismatch detail=\"the receiver's copy is not "
                    + options.base() + "; its block digests are used instead\"");
        }
    };

    /** Senders may still be inside a socket call woken by its close: their slabs go back before the pool closes. */
    private static void joinQuietly(List<Thread> threads) {
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- work distribution, called by StreamSender threads ----

    /** Next block for a stream (see {@link BlockSchedule#next}). */
    long nextBlock() {
        return schedule.next();
    }

    /** Between blocks: deferred FILE_ENDs and REFINEs that waited long enough go out. */
    void controlTick() throws IOException {
        refiner.flush(true);
        control.flushIfDue();
    }

    /** Waits briefly for a retry to appear; returns false when the stream should stop. */
    boolean idle() throws InterruptedException, IOException {
        refiner.flush(false);
        control.flush(); // nothing to send now: what was deferred goes before the wait
        return !stop && schedule.idle();
    }

    // ---- refining changed blocks to pages (see Refiner) ----

    Refiner.RefinedBlock nextRefined() {
        return schedule.pollRefined();
    }

    boolean refinerFull() {
        return refiner.full();
    }

    /** The refiner is full and no answer is here yet: what waits goes out, then a short wait for answers. */
    boolean awaitRefined() throws InterruptedException, IOException {
        refiner.flush(false);
        control.flush();
        return !stop && schedule.awaitRefined();
    }

    /** Hands changed block {@code block} to the refiner, with its page digests ({@code pages} from {@code at}). */
    boolean refine(OutgoingFile f, int block, byte[] pages, int at, int crc) throws IOException {
        lastActivity.set(System.nanoTime());
        return refiner.want(f, block, pages, at, crc);
    }

    /** The sender's page digests and CRC of a refined block, from its first read. */
    Refiner refiner() {
        return refiner;
    }

    void refinedDone(OutgoingFile f, int slot, int length, long wire, boolean pageFrame, int pages) throws IOException {
        refiner.sent(slot);
        deltaSent(f, length, wire, pageFrame, pages);
    }

    /** A changed block went as a page frame (refined or XOR) of {@code pages} pages, or whole. */
    void deltaSent(OutgoingFile f, int length, long wire, boolean pageFrame, int pages) throws IOException {
        tally.refined(pageFrame, pages, wire);
        blockDone(f, true, length, wire);
    }

    /** {@code --base}: a block of the receiver's copy of {@code f} is not OLD's. */
    void baseMismatch(OutgoingFile f) {
        events.baseMismatch(f.entry);
    }

    /** A refined block of a file given up meanwhile. */
    void refinedDropped(int slot) {
        refiner.sent(slot);
    }

    boolean stopped() {
        return stop;
    }

    OutgoingFile file(int id) {
        return sendWindow.file(id);
    }

    void blockDone(OutgoingFile f, boolean sent, long logicalBytes, long wire) throws IOException {
        lastActivity.set(System.nanoTime());
        tally.block(sent, logicalBytes, wire);
        if (f.handled(sent)) {
            f.retire();
            control.sendSoon(new Message.FileEnd(f.id, f.sentBlocks(), f.fileDigest()));
        }
    }

    /** A stream ended: its zero-copy counters join the transfer's. */
    void streamDone(ZeroCopyStats stats) {
        tally.streamDone(stats);
    }

    /**
     * A file that could not be read as offered (it vanished, changed size, or changed under a block being sent
     * again): the receiver is told to drop it (and drops its blocks still on the way), it is reported by name, and
     * the rest of the transfer goes on.
     */
    void abandon(OutgoingFile f, IOException cause) throws IOException {
        if (!f.abandon()) {
            return;
        }
        String why = cause instanceof DwcpException d ? d.getMessage()
                : "path=\"" + f.entry.path() + "\" reason=source-unreadable detail=\"" + cause.getMessage() + "\"";
        tally.failedFiles.add(f.entry.path() + ": " + why);
        f.retire();
        sendControl(new Message.FileEnd(f.id, Message.FileEnd.ABANDONED, new byte[BlockDigests.DIGEST_LENGTH]));
    }

    void resent(long wire) {
        lastActivity.set(System.nanoTime());
        tally.wireBytes.addAndGet(wire);
    }

    // ---- control connection ----

    private void sendControl(Message m) throws IOException {
        control.send(m);
    }


    private Message readControl() throws IOException {
        Message m = control.read();
        if (m instanceof Message.Error e) {
            serverErrorCode = e.code();
            serverError = e.message();
            throw new DwcpException(e.code(), e.message());
        }
        return m;
    }

    private static <T extends Message> T expect(Message m, Class<T> type) throws DwcpException {
        if (!type.isInstance(m)) {
            throw DwcpException.protocol("frame=" + m.type().wireName() + " reason=unexpected expected="
                    + type.getSimpleName().toLowerCase(java.util.Locale.ROOT));
        }
        return type.cast(m);
    }

    private void readLoop() {
        try {
            while (true) {
                Message m = readControl();
                lastActivity.set(System.nanoTime());
                switch (m) {
                    case Message.Plan p -> {
                        sendWindow.plan(p, schedule, this::openSource, events);
                        openStreamsIfDue();
                    }
                    case Message.Deleted d -> tally.deleted(d);
                    case Message.FileDone d -> onFileDone(d);
                    case Message.BlockNack n -> onNack(n);
                    case Message.PageDigests d -> refiner.answered(d);
                    case Message.Done d -> {
                        done = d;
                        return;
                    }
                    default -> throw DwcpException.protocol("frame=" + m.type().wireName() + " reason=unexpected");
                }
            }
        } catch (DwcpException e) {
            fail(e.getMessage(), e.code() == ErrorCode.VERIFY ? TransferResult.EXIT_VERIFY : TransferResult.EXIT_FAILED);
        } catch (IOException e) {
            if (!stop || done == null) {
                fail("reason=control-connection-lost detail=\"" + e.getMessage() + "\"", TransferResult.EXIT_FAILED);
            }
        }
    }

    /**
     * Opens the data streams once a PLAN has given some file blocks to send (on the thread that applied it). A stream
     * that cannot be opened fails the transfer, as it did when every transfer opened them at its first PLAN.
     */
    private void openStreamsIfDue() throws DwcpException {
        StreamsDue due = streamsDue;
        if (due == null || !schedule.anyScheduled()) {
            return;
        }
        StreamGroup group = streams;
        if (group != null) {
            openStreams(group);
        } else if (!streamsRequested) {
            // Called on main at the first PLAN, then only on the control reader: one thread at a time.
            streamsRequested = true;
            if (starting == null) {
                starting = beginRuntime(due.wanted());
            }
            // Not awaited here: the reader applies later PLANs (and main offers) while a cold data plane starts.
            starting.whenStarted(runtime -> startStreams(runtime, due),
                    reason -> fail(reason, TransferResult.EXIT_FAILED));
        }
    }

    /** Makes the stream group on the started data plane and opens it, unless the transfer has stopped meanwhile. */
    private void startStreams(EngineRuntime runtime, StreamsDue due) {
        StreamGroup group;
        synchronized (streamsLock) {
            if (stop) {
                return;
            }
            boolean sendfile = sendfileFor(runtime.io().sendfile(), due.addr());
            ioPath = runtime.io().describe(sendfile);
            io = runtime.io();
            group = new StreamGroup(this, runtime, new DataStreams(runtime.io(), options.limits()), due.addr(),
                    due.welcome(), Math.max(1, Math.min(due.welcome().streams(), due.wanted())), options,
                    rawBlocksFor(options.compress(), due.addr()), sendfile);
            streams = group;
        }
        try {
            openStreams(group);
        } catch (DwcpException e) {
            fail(e.getMessage(), TransferResult.EXIT_FAILED);
        }
    }

    private void openStreams(StreamGroup group) throws DwcpException {
        try {
            group.open(tally.wireBytes);
        } catch (IOException e) {
            throw new DwcpException(ErrorCode.IO, "reason=data-stream-failed detail=\"" + e.getMessage() + "\"");
        }
    }

    private RuntimeStart beginRuntime(int wanted) {
        return RuntimeStart.begin(sharedRuntime, options.io(), wanted * FrameSender.slabsPerStream(options.compress()),
                options.blockSize());
    }

    /** Opens a file to send; called by streams only, which exist once the data plane has started. */
    private io.dwcp.zerocopy.DataFile openSource(java.nio.file.Path source) throws IOException {
        return io.openSource(source);
    }

    private void onFileDone(Message.FileDone d) throws DwcpException {
        OutgoingFile f = sendWindow.done(d);
        refiner.forget(d.fileId());
        if (!f.abandoned()) { // an abandoned file was reported when it was given up, with the local reason
            tally.fileDone(f, d);
        }
    }

    private void onNack(Message.BlockNack n) throws DwcpException {
        schedule.retry(sendWindow.file(n.fileId()), n);
    }

    /**
     * Blocking channel reads and writes have no timeout: when nothing has moved for the idle timeout (a server
     * that accepts but never answers, a peer that stops reading), fail and close every channel, which wakes
     * whichever thread is blocked.
     */
    private void watch() {
        long idleLimit = options.limits().idleTimeoutMillis() * 1_000_000L;
        long tick = Math.max(10, Math.min(1000, options.limits().idleTimeoutMillis() / 10));
        while (!finished) {
            try {
                Thread.sleep(tick);
            } catch (InterruptedException e) {
                return;
            }
            if (!finished && System.nanoTime() - lastActivity.get() > idleLimit) {
                fail("reason=stalled idle_ms=" + options.limits().idleTimeoutMillis(), TransferResult.EXIT_FAILED);
                StreamGroup g = streams;
                if (g != null) {
                    g.closeSockets();
                }
                ControlConnection c = control;
                if (c != null) {
                    c.close(); // wakes the blocked reader
                }
                return;
            }
        }
    }

    void fail(String message, int exit) {
        synchronized (this) {
            if (failure == null) {
                failure = message;
                failureExit = exit;
            }
        }
        stopSenders();
        SendWindow w = sendWindow;
        if (w != null) {
            w.window().wake();
        }
    }

    private void stopSenders() {
        stop = true;
        BlockSchedule s = schedule;
        if (s != null) {
            s.stop();
        }
    }
}
