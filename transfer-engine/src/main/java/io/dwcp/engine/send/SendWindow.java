package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.message.Message;
import io.dwcp.core.message.Message.FilePlan;
import io.dwcp.engine.flow.EntryWindow;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The sender's view of a streamed file list: batches offered and waiting for their PLAN, files in flight (a ring
 * indexed by id, as at the receiver), and which entries are finished ({@link EntryWindow}). PLAN lines turn into
 * {@link OutgoingFile}s that join the {@link BlockSchedule}; FILE_DONE retires them.
 */
final class SendWindow {
    /** What happened to one entry, for counters and listings. */
    interface Events {
        /** A PLAN line arrived for {@code e}. */
        void planned(Entry e, FilePlan line);

        /** An empty file is due: its FILE_END goes now, with no data. */
        void emptyFile(OutgoingFile f) throws java.io.IOException;

        /** {@code --base} was given, but the receiver's copy of {@code e} is not OLD: its block map is used instead. */
        void baseMismatch(Entry e);
    }

    private record Offered(long firstId, EntrySource.Batch batch) {
    }

    private final EntryWindow window = new EntryWindow();
    private final AtomicReferenceArray<OutgoingFile> files = new AtomicReferenceArray<>(EntryWindow.SIZE);
    private final ConcurrentLinkedQueue<Offered> awaitingPlan = new ConcurrentLinkedQueue<>();
    private final int blockSize;
    private final boolean delta;
    private final SenderBasis base;

    /**
     * @param delta changed blocks of BASIS files may be refined to pages
     * @param base  OLD of {@code send --base OLD NEW} (a one-file send), or null
     */
    SendWindow(int blockSize, boolean delta, SenderBasis base) {
        this.blockSize = blockSize;
        this.delta = delta;
        this.base = base;
    }

    EntryWindow window() {
        return window;
    }

    /** Records a batch about to be offered at {@code firstId}; the caller waited until it fits. */
    void offered(long firstId, EntrySource.Batch batch) {
        window.offer(firstId + batch.entries().size());
        awaitingPlan.add(new Offered(firstId, batch));
    }

    /**
     * Waits until fewer than {@code n} offered batches wait for their PLAN, or {@code millis} pass; returns whether
     * they do. The receiver handles a session's messages in order: batches offered far ahead would queue the
     * FILE_ENDs of files already sent behind their planning, and every such file holds an open part file there.
     */
    boolean awaitPlansBelow(int n, long millis) throws InterruptedException {
        synchronized (awaitingPlan) {
            if (awaitingPlan.size() >= n) {
                awaitingPlan.wait(millis);
            }
            return awaitingPlan.size() < n;
        }
    }

    /** Applies the PLAN of the oldest batch still waiting for one. */
    void plan(Message.Plan plan, BlockSchedule schedule, OutgoingFile.Opener io, Events events) throws java.io.IOException {
        plan(plan, schedule, io, events, null);
    }

    /** As {@link #plan(Message.Plan, BlockSchedule, OutgoingFile.Opener, Events)}, taking what {@code ahead} digested. */
    void plan(Message.Plan plan, BlockSchedule schedule, OutgoingFile.Opener io, Events events, DigestAhead ahead)
            throws java.io.IOException {
        Offered o;
        synchronized (awaitingPlan) {
            o = awaitingPlan.poll();
            awaitingPlan.notifyAll();
        }
        if (o == null || plan.files().size() != o.batch().entries().size()) {
            throw DwcpException.protocol("frame=plan reason=does-not-match-offer lines=" + plan.files().size());
        }
        for (int i = 0; i < plan.files().size(); i++) {
            FilePlan line = plan.files().get(i);
            long id = o.firstId() + i;
            Entry e = o.batch().entries().get(i);
            if (line.fileId() != id) {
                throw DwcpException.protocol("frame=plan reason=bad-file-id file=" + line.fileId() + " expected=" + id);
            }
            events.planned(e, line);
            if (line.action() == FilePlan.NEW || line.action() == FilePlan.BASIS) {
                if (e.kind() != EntryKind.FILE) {
                    throw DwcpException.protocol("frame=plan reason=not-a-file file=" + id);
                }
                DigestAhead.Digested d = ahead == null ? null : ahead.of(id);
                OutgoingFile f = new OutgoingFile((int) id, e, o.batch().sources().get(i), blockSize, line, io, delta, d);
                if (d != null && (line.action() != FilePlan.BASIS || !delta || base != null)) {
                    d.cancel(); // its blocks are read by the streams anyway: to be sent whole, or as XOR deltas
                }
                if (base != null && delta) {
                    if (base.mayBeReceiverBasis(line)) {
                        f.xorAgainst(base); // each block is proven OLD's by digest before its delta goes
                    } else {
                        events.baseMismatch(e);
                    }
                }
                files.set((int) (id & EntryWindow.MASK), f);
                if (f.blockCount == 0) {
                    events.emptyFile(f);
                } else {
                    schedule.add(f);
                }
            } else {
                DigestAhead.Digested d = ahead == null ? null : ahead.of(id);
                if (d != null) {
                    d.cancel(); // nothing of it is sent
                }
                window.finish(id);
            }
        }
    }

    /** The file in flight with {@code id}, or null. */
    OutgoingFile file(int id) {
        OutgoingFile f = id >= 0 ? files.get(id & EntryWindow.MASK) : null;
        return f != null && f.id == id ? f : null;
    }

    /** FILE_DONE arrived: the file leaves the window (once; a second one is a protocol error). */
    OutgoingFile done(Message.FileDone d) throws DwcpException {
        OutgoingFile f = file(d.fileId());
        if (f == null || !files.compareAndSet(d.fileId() & EntryWindow.MASK, f, null)) {
            throw DwcpException.protocol("frame=file_done reason=unknown-file file=" + d.fileId());
        }
        f.ended();
        f.retire();
        window.finish(d.fileId());
        return f;
    }

    /** Every file still in flight, for closing on the way out. */
    void forEachInFlight(Consumer<OutgoingFile> action) {
        for (int i = 0; i < files.length(); i++) {
            OutgoingFile f = files.get(i);
            if (f != null) {
                action.accept(f);
            }
        }
    }
}
