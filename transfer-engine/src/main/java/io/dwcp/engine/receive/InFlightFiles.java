package io.dwcp.engine.receive;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.core.message.Message;
import io.dwcp.engine.flow.EntryWindow;
import io.dwcp.engine.storage.IncomingFile;
import io.dwcp.engine.storage.ReceivingPaths;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A session's offered entries as the receiver tracks them: which are finished ({@link EntryWindow}), the files in
 * flight (a ring indexed by {@code id & MASK}, which the window keeps two live ids out of), and the tally of files
 * done and failed. Files are looked up from data threads; the rest is the session thread's.
 */
final class InFlightFiles {
    private final EntryWindow window = new EntryWindow();
    private final AtomicReferenceArray<IncomingFile> files = new AtomicReferenceArray<>(EntryWindow.SIZE);
    private final AtomicLong filesOk = new AtomicLong();
    private final AtomicLong bytesOk = new AtomicLong();
    private final AtomicInteger failed = new AtomicInteger();
    /** Of the failed, files whose data did not verify. */
    private final AtomicInteger verifyFailed = new AtomicInteger();
    /** Files planned and not yet verified or failed: none left means a waiting batch can only wait in vain. */
    private final AtomicInteger receivingFiles = new AtomicInteger();
    /** Where verified durable files wait for their flush and rename; null while no batch asked for durability. */
    private volatile DurableRenames renames;
    private final ReceivingPaths receiving;
    private final Object owner;

    /** @param owner the session, as it claimed the files' paths in {@code receiving} */
    InFlightFiles(ReceivingPaths receiving, Object owner) {
        this.receiving = receiving;
        this.owner = owner;
    }

    /** Durable files are committed through {@code r} from now on. */
    void durableRenames(DurableRenames r) {
        renames = r;
    }

    /** Checks that a batch of {@code n} entries at {@code firstId} follows on and fits the window. */
    void checkOffer(int firstId, int n) throws DwcpException {
        if (firstId != window.offered()) {
            throw DwcpException.protocol("frame=offer reason=bad-first-id first_id=" + firstId + " expected="
                    + window.offered());
        }
        if (!window.fits((long) firstId + n)) {
            throw DwcpException.protocol("frame=offer reason=window-exceeded end=" + ((long) firstId + n)
                    + " low=" + window.low() + " window=" + EntryWindow.SIZE);
        }
    }

    /**
     * A planned batch: its files go in flight, and every entry without data (a directory, a link, a skipped or
     * failed file) is finished at once. Returns how many lines were FAILED.
     */
    int planned(int firstId, int n, BatchPlanner.Planned p) {
        window.offer((long) firstId + n);
        receivingFiles.addAndGet(p.files().size());
        for (IncomingFile f : p.files()) {
            files.set(f.id() & EntryWindow.MASK, f);
        }
        int failedLines = 0;
        for (Message.FilePlan line : p.plan().files()) {
            if (line.action() == Message.FilePlan.FAILED) {
                failedLines++;
            }
            if (line.action() != Message.FilePlan.NEW && line.action() != Message.FilePlan.BASIS) {
                window.finish(line.fileId());
            }
        }
        failed.addAndGet(failedLines);
        return failedLines;
    }

    /** The file in flight with {@code fileId}, or a protocol error naming {@code frame}. */
    IncomingFile file(int fileId, String frame) throws DwcpException {
        IncomingFile f = fileId >= 0 ? files.get(fileId & EntryWindow.MASK) : null;
        if (f == null || f.id() != fileId) {
            throw DwcpException.protocol("frame=" + frame + " reason=unknown-file file=" + fileId);
        }
        return f;
    }

    /** The file in {@code fileId}'s slot, whoever it is now: for ending a landing that began on it. */
    IncomingFile slot(int fileId) {
        return files.get(fileId & EntryWindow.MASK);
    }

    /**
     * Completes a file: verified and in place, or failed. Returns the FILE_DONE to send, or null when another
     * caller completed it already, or when the verified file waits in a durable batch: its FILE_DONE comes from
     * {@link #committed} once it is flushed and renamed.
     */
    Message.FileDone finish(IncomingFile f) {
        boolean first = false;
        try {
            if (!f.verify()) {
                return null;
            }
            first = true;
            if (f.state() == IncomingFile.State.VERIFIED) {
                DurableRenames r = renames;
                if (f.durable() && r != null) {
                    boolean queued;
                    try {
                        queued = r.add(f);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        queued = false;
                    }
                    if (!queued) {
                        f.interrupt(); // the session has ended: the part file stays for a resume
                    }
                    return null;
                }
                f.renameIntoPlace(); // scratch data: in place at once, nothing flushed
            }
            return committed(f, null);
        } catch (DwcpException e) {
            first = true;
            return committed(f, e);
        } finally {
            if (first) {
                leftReceiving();
            }
        }
    }

    /** A file's end: in place ({@code error} null) or failed; the FILE_DONE to send. */
    Message.FileDone committed(IncomingFile f, DwcpException error) {
        if (error == null) {
            filesOk.incrementAndGet();
            bytesOk.addAndGet(f.entry().size());
            retire(f, true);
            return new Message.FileDone(f.id(), Message.FileDone.OK, f.identical() ? "identical" : "written");
        }
        failed.incrementAndGet();
        if (error.code() == ErrorCode.VERIFY) {
            verifyFailed.incrementAndGet();
        }
        retire(f, false);
        return new Message.FileDone(f.id(), error.code().code(), error.getMessage());
    }

    /** One file fewer is receiving; with none left, a waiting batch goes now. */
    private void leftReceiving() {
        DurableRenames r = renames;
        if (receivingFiles.decrementAndGet() <= 0 && r != null) {
            r.flushSoon();
        }
    }

    /**
     * A block of the file could not be stored for a reason of its own (see {@code StoreFailures}): it fails by name
     * and its blocks still on the way are dropped. The FILE_DONE to send, or null when it had ended already.
     */
    Message.FileDone storeFailed(IncomingFile f, DwcpException error) {
        if (!f.failWhileReceiving()) {
            return null;
        }
        leftReceiving();
        return failed(f, error.code(), error.getMessage());
    }

    /** The sender gave the file up (it could not read it as offered); its blocks still on the way are dropped. */
    Message.FileDone abandoned(IncomingFile f) {
        boolean wasReceiving = f.state() == IncomingFile.State.RECEIVING;
        f.fail();
        if (wasReceiving) {
            leftReceiving();
        }
        return failed(f, ErrorCode.IO, "path=\"" + f.entry().path() + "\" reason=abandoned-by-sender");
    }

    /** A file failed while it was received: retired, counted, and the FILE_DONE that says why. */
    private Message.FileDone failed(IncomingFile f, ErrorCode code, String why) {
        retire(f, false);
        failed.incrementAndGet();
        return new Message.FileDone(f.id(), code.code(), why);
    }

    /**
     * The file is finished either way: its claim on the path and its place in the window go. A completed file leaves
     * its slot too (no landing is in flight once it completed); a failed one stays until the slot is reused, because
     * a stream may still be inside a landing that must end on it.
     */
    private void retire(IncomingFile f, boolean completed) {
        if (completed) {
            files.compareAndSet(f.id() & EntryWindow.MASK, f, null);
        }
        receiving.release(f.partPath(), owner);
        window.finish(f.id());
    }

    /** Every offered entry is finished, or a protocol error saying how far they are. */
    void checkDrained() throws DwcpException {
        if (!window.drained()) {
            throw DwcpException.protocol("frame=commit reason=file-incomplete low=" + window.low() + " offered="
                    + window.offered());
        }
    }

    /** Something failed at commit (a hard link, a directory's metadata). */
    void failedAtCommit() {
        failed.incrementAndGet();
    }

    /**
     * The session failed: every file still in flight stops. A part file with verified blocks stays, with its
     * journal, for the next send of the file to resume; the others go.
     */
    void interruptAll() {
        for (int i = 0; i < files.length(); i++) {
            IncomingFile file = files.get(i);
            if (file != null) {
                file.interrupt();
            }
        }
    }

    long offered() {
        return window.offered();
    }

    long filesOk() {
        return filesOk.get();
    }

    long bytesOk() {
        return bytesOk.get();
    }

    int failed() {
        return failed.get();
    }

    /** Files whose data did not verify, of the {@link #failed}. */
    int verifyFailed() {
        return verifyFailed.get();
    }
}
