package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.codec.CompressMode;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.message.ControlCodec;
import io.dwcp.core.message.Message;
import io.dwcp.engine.runtime.EngineRuntime;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import io.dwcp.zerocopy.ZeroCopyStats;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
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

    /**
     * @param streams   data streams to ask for, or {@link #AUTO_STREAMS}
     * @param compress  compression policy
     * @param blockSize block size for this transfer
     * @param token     shared secret, empty for none
     * @param limits    bounds applied to what the server sends back
     * @param io        the data plane's I/O path: the native one ({@code sendfile}, {@code MSG_ZEROCOPY}) where
     *                  it works, or the portable JDK one
     */
    public record Options(int streams, CompressMode compress, int blockSize, byte[] token, Limits limits, IoMode io) {
        /** The best I/O path here ({@link IoMode#AUTO}). */
        public Options(int streams, CompressMode compress, int blockSize, byte[] token, Limits limits) {
            this(streams, compress, blockSize, token, limits, IoMode.AUTO);
        }
    }

    private final Options options;
    private final AtomicLong wireBytes = new AtomicLong();
    private final AtomicLong progressBytes = new AtomicLong();
    private final AtomicLong blocksSent = new AtomicLong();
    private final AtomicLong blocksUnchanged = new AtomicLong();
    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    private final List<String> failedFiles = Collections.synchronizedList(new ArrayList<>());

    private volatile boolean stop;
    private volatile String failure;
    private volatile int failureExit;
    private volatile String serverError;
    private volatile ErrorCode serverErrorCode;
    private volatile Message.Done done;
    private volatile ControlConnection control;
    private volatile DataStreams data;
    private final EngineRuntime sharedRuntime;
    private final ZeroCopyCounters zeroCopy = new ZeroCopyCounters();
    private volatile String ioPath = "";
    private volatile boolean finished;
    private volatile BlockSchedule schedule;
    private OutgoingFile[] files;
    private AtomicIntegerArray fileStatus;
    private CountDownLatch filesPending;
    private int identicalFiles;
    private volatile long totalBytes;

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
    }

    /** Logical bytes handled so far (sent or found unchanged), for progress display. */
    public long progressBytes() {
        return progressBytes.get();
    }

    public long totalBytes() {
        return totalBytes;
    }

    public long wireBytes() {
        return wireBytes.get();
    }

    /**
     * The streams to ask for. An explicit count is kept. Over loopback both ends share this machine's cores and
     * there is no round trip to hide, so each extra stream only adds a sending, a reading thread and cache traffic:
     * one stream per four cores, at most {@link #NETWORK_STREAMS}. Over a network, {@link #NETWORK_STREAMS}.
     */
    static int streamsFor(int requested, InetAddress addr, int cores) {
        if (requested != AUTO_STREAMS) {
            return requested;
        }
        return addr.isLoopbackAddress() ? Math.max(1, Math.min(NETWORK_STREAMS, cores / 4)) : NETWORK_STREAMS;
    }

    /** Runs the whole transfer; never throws for remote or network failures, which land in the result. */
    public TransferResult send(Manifest manifest, Target target) {
        long start = System.nanoTime();
        totalBytes = manifest.totalBytes();
        lastActivity.set(start);
        Thread watchdog = Thread.ofPlatform().daemon().name("dwcp-watchdog").start(this::watch);
        List<Thread> threads = new ArrayList<>();
        Thread reader = null;
        int granted = 0;
        EngineRuntime runtime = null;
        CompletableFuture<EngineRuntime> starting = null;
        try {
            ByteBuffer offer = encodeOffer(manifest, target);
            InetAddress addr = ControlConnection.resolve(target.host());
            int wanted = streamsFor(options.streams(), addr, Runtime.getRuntime().availableProcessors());
            // The data plane's start (probing the I/O path, making native call handles: 0.1-0.2 s cold) overlaps
            // the control handshake; data streams wait for it only after the PLAN.
            starting = startRuntime(wanted * FrameSender.slabsPerStream(options.compress()));
            control = ControlConnection.open(addr, target.port(), options.limits(), wireBytes,
                    () -> lastActivity.set(System.nanoTime()));
            sendControl(new Message.Hello("dwcp-cli/" + FrameDescriptor.VERSION, options.token(),
                    wanted));
            Message.Welcome welcome = expect(readControl(), Message.Welcome.class);
            sendEncoded(offer);
            Message.Plan plan = expect(readControl(), Message.Plan.class);
            runtime = awaitRuntime(starting);
            ioPath = runtime.io().describe();
            data = new DataStreams(runtime.io(), options.limits());
            prepare(manifest, plan, runtime.io());
            granted = Math.max(1, Math.min(welcome.streams(), wanted));
            for (int i = 0; i < granted; i++) {
                wireBytes.addAndGet(data.open(addr, welcome, i));
            }
            reader = Thread.ofPlatform().daemon().name("dwcp-control-reader").start(this::readLoop);
            for (OutgoingFile f : files) {
                if (f != null && f.blockCount == 0) {
                    sendControl(new Message.FileEnd(f.id, 0, f.fileDigest()));
                }
            }
            for (int i = 0; i < granted; i++) {
                FrameSender frames = new FrameSender(runtime, data.get(i), options.compress(), options.blockSize(),
                        options.limits().idleTimeoutMillis());
                Thread t = runtime.dataThreads().newThread(new StreamSender(this, frames));
                threads.add(t);
                t.start();
            }
            awaitFiles();
            stopSenders();
            for (Thread t : threads) {
                t.join();
            }
            data.closeAll();
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
            stop = true;
            if (data != null) {
                data.closeAll();
            }
            joinQuietly(threads);
            if (runtime != null && runtime != sharedRuntime) {
                runtime.close();
            } else if (runtime == null && starting != null) {
                starting.thenAccept(r -> {
                    if (r != sharedRuntime) {
                        r.close(); // still starting when the transfer failed
                    }
                });
            }
            if (control != null) {
                control.close();
            }
            if (files != null) {
                for (OutgoingFile f : files) {
                    if (f != null) {
                        f.retire();
                    }
                }
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
        double seconds = (System.nanoTime() - start) / 1e9;
        String error = serverError != null ? "server: " + serverError : failure;
        boolean verified = error == null && done != null && done.verified() && failedFiles.isEmpty();
        int exit = verified ? TransferResult.EXIT_OK
                : serverErrorCode != null ? (serverErrorCode == ErrorCode.VERIFY ? TransferResult.EXIT_VERIFY : TransferResult.EXIT_FAILED)
                : !failedFiles.isEmpty() && error == null ? TransferResult.EXIT_VERIFY
                : failureExit != 0 ? failureExit : TransferResult.EXIT_FAILED;
        return new TransferResult(manifest.fileCount(), manifest.totalBytes(), wireBytes.get(), seconds, verified,
                blocksSent.get(), blocksUnchanged.get(), identicalFiles, granted, error, List.copyOf(failedFiles),
                manifest.skipped(), exit, ioPath, zeroCopy.snapshot());
    }

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

    private CompletableFuture<EngineRuntime> startRuntime(int slabs) {
        if (sharedRuntime != null) {
            return CompletableFuture.completedFuture(sharedRuntime);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return EngineRuntime.client(options.io(), slabs, options.blockSize());
            } catch (InterruptedException e) {
                throw new CompletionException(e);
            }
        }, r -> Thread.ofPlatform().daemon().name("dwcp-runtime-start").start(r));
    }

    private static EngineRuntime awaitRuntime(CompletableFuture<EngineRuntime> starting) throws IOException,
            InterruptedException {
        try {
            return starting.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : e.getCause();
            if (c instanceof InterruptedException ie) {
                throw ie;
            }
            throw new DwcpException(ErrorCode.INTERNAL, "reason=data-plane-start-failed detail=\"" + c + "\"");
        }
    }

    private void prepare(Manifest manifest, Message.Plan plan, IoPaths io) throws DwcpException {
        BlockSchedule planned = BlockSchedule.of(manifest, plan, options.blockSize(), io);
        files = planned.files();
        fileStatus = new AtomicIntegerArray(files.length);
        filesPending = new CountDownLatch(planned.fileCount());
        schedule = planned;
        if (stop) {
            planned.stop(); // failed while planning: streams must not start on it
        }
    }

    // ---- work distribution, called by StreamSender threads ----

    /** Next block for a stream (see {@link BlockSchedule#next}). */
    long nextBlock() {
        return schedule.next();
    }

    /** Waits briefly for a retry to appear; returns false when the stream should stop. */
    boolean idle() throws InterruptedException {
        return !stop && schedule.idle();
    }

    boolean stopped() {
        return stop;
    }

    OutgoingFile file(int id) {
        return files[id];
    }

    void blockDone(OutgoingFile f, boolean sent, long logicalBytes, long wire) throws IOException {
        lastActivity.set(System.nanoTime());
        progressBytes.addAndGet(logicalBytes);
        wireBytes.addAndGet(wire);
        (sent ? blocksSent : blocksUnchanged).incrementAndGet();
        if (f.handled(sent)) {
            f.retire();
            sendControl(new Message.FileEnd(f.id, f.sentBlocks(), f.fileDigest()));
        }
    }

    /** A stream ended: its zero-copy counters join the transfer's. */
    void streamDone(ZeroCopyStats stats) {
        zeroCopy.add(stats);
    }

    void resent(long wire) {
        lastActivity.set(System.nanoTime());
        wireBytes.addAndGet(wire);
    }

    // ---- control connection ----

    private void sendControl(Message m) throws IOException {
        control.send(m);
    }

    private void sendEncoded(ByteBuffer frame) throws IOException {
        control.sendEncoded(frame);
    }

    /**
     * The OFFER frame, checked against the limits a server applies (by default the same as ours) before any
     * connection is made: a tree too big for one offer is a clear error here, not a closed connection there.
     */
    private ByteBuffer encodeOffer(Manifest manifest, Target target) throws DwcpException {
        Limits limits = options.limits();
        int entries = manifest.entries().size();
        if (entries > limits.maxEntries()) {
            throw new DwcpException(ErrorCode.LIMIT, "reason=offer-too-large entries=" + entries + " max_entries="
                    + limits.maxEntries() + " hint=\"send the tree in parts\"");
        }
        ByteBuffer frame = ControlCodec.encode(new Message.Offer(target.dest(), options.blockSize(), manifest.entries()));
        int body = frame.remaining() - FrameDescriptor.PREFIX_LENGTH;
        if (body > limits.maxControlBody()) {
            throw new DwcpException(ErrorCode.LIMIT, "reason=offer-too-large bytes=" + body + " max_bytes="
                    + limits.maxControlBody() + " entries=" + entries + " hint=\"send the tree in parts\"");
        }
        return frame;
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
                    case Message.FileDone d -> onFileDone(d);
                    case Message.BlockNack n -> onNack(n);
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

    private void onFileDone(Message.FileDone d) throws DwcpException {
        int id = d.fileId();
        if (id < 0 || id >= files.length || files[id] == null) {
            throw DwcpException.protocol("frame=file_done reason=unknown-file file=" + id);
        }
        if (!fileStatus.compareAndSet(id, 0, 1)) {
            throw DwcpException.protocol("frame=file_done reason=duplicate file=" + id);
        }
        if (d.status() != Message.FileDone.OK) {
            failedFiles.add(files[id].entry.path() + ": " + d.detail());
        } else if ("identical".equals(d.detail())) {
            synchronized (this) {
                identicalFiles++;
            }
        }
        filesPending.countDown();
    }

    private void onNack(Message.BlockNack n) throws DwcpException {
        schedule.retry(n);
    }

    private void awaitFiles() throws InterruptedException {
        while (!filesPending.await(100, TimeUnit.MILLISECONDS)) {
            if (failure != null) {
                return;
            }
        }
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
                DataStreams d = data;
                if (d != null) {
                    d.closeAll();
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
        long n = filesPending == null ? 0 : filesPending.getCount();
        for (long i = 0; i < n; i++) {
            filesPending.countDown();
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
