package io.dwcp.engine.send;

import io.dwcp.core.ErrorCode;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.message.Message;
import io.dwcp.zerocopy.ZeroCopyStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What a send has done so far, counted from the threads that do it (streams, the control reader, the offering
 * thread): bytes and blocks, files offered, sent, found identical or failed, deletions, and the itemized listing.
 * Turns into the {@link TransferResult} at the end.
 */
final class SendTally {
    final AtomicLong wireBytes = new AtomicLong();
    final AtomicLong progressBytes = new AtomicLong();
    private final AtomicLong blocksSent = new AtomicLong();
    private final AtomicLong blocksUnchanged = new AtomicLong();
    private final AtomicLong blocksRefined = new AtomicLong();
    private final AtomicLong pagesSent = new AtomicLong();
    private final AtomicLong deltaBytes = new AtomicLong();
    private final AtomicLong fileCount = new AtomicLong();
    final AtomicLong totalBytes = new AtomicLong();
    private final AtomicLong identicalFiles = new AtomicLong();
    private final AtomicLong filesSent = new AtomicLong();
    private final AtomicLong deletedCount = new AtomicLong();
    private final AtomicLong verifyFailures = new AtomicLong();
    final List<String> failedFiles = Collections.synchronizedList(new ArrayList<>());
    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    final ZeroCopyCounters zeroCopy = new ZeroCopyCounters();
    private final Consumer<String> itemize;
    /** {@code --checksum}: a file of unchanged size is listed once the receiver says whether it was the same. */
    private final boolean compareAll;
    /** Itemized files waiting for that verdict: their PLAN lines, by file id (only while itemizing). */
    private final java.util.Map<Integer, Message.FilePlan> comparing = new java.util.concurrent.ConcurrentHashMap<>();
    private final boolean dryRun;

    /** @param itemize receives rsync-style lines, or null */
    SendTally(Consumer<String> itemize, boolean dryRun, boolean compareAll) {
        this.itemize = itemize;
        this.compareAll = compareAll;
        this.dryRun = dryRun;
    }

    /** A batch is offered: its files count towards the totals. */
    void offered(List<Entry> entries) {
        for (Entry e : entries) {
            if (e.kind() == EntryKind.FILE) {
                fileCount.incrementAndGet();
                totalBytes.addAndGet(e.size());
            }
        }
    }

    /** A PLAN line arrived for {@code e}. */
    void planned(Entry e, Message.FilePlan line) {
        if (itemize != null) {
            String item;
            if (compareAll && Itemizer.replaced(e, line)) {
                if (Itemizer.comparedLater(e, line)) {
                    comparing.put(line.fileId(), line); // listed with the receiver's verdict: rsync -c lists no same file
                    item = null;
                } else {
                    item = Itemizer.compared(e, line, false); // another size: its checksum differs too
                }
            } else {
                item = Itemizer.line(e, line);
            }
            if (item != null) {
                itemize.accept(item);
            }
        }
        switch (line.action()) {
            case Message.FilePlan.FAILED -> failedFiles.add(e.path() + ": " + line.detail());
            case Message.FilePlan.SKIP -> {
                if (!line.detail().isEmpty()) {
                    warnings.add(line.detail());
                }
                if (e.kind() == EntryKind.FILE) {
                    progressBytes.addAndGet(e.size());
                    if (!dryRun) {
                        identicalFiles.incrementAndGet();
                    }
                }
            }
            default -> {
                if (!line.detail().isEmpty()) {
                    warnings.add(line.detail()); // attributes the receiver left out of a file it takes
                }
                filesSent.incrementAndGet();
            }
        }
    }

    /** A block was handled: sent ({@code wire} bytes) or found unchanged at the receiver. */
    void block(boolean sent, long logicalBytes, long wire) {
        progressBytes.addAndGet(logicalBytes);
        wireBytes.addAndGet(wire);
        (sent ? blocksSent : blocksUnchanged).incrementAndGet();
    }

    /** A changed block was refined to pages: sent as a page frame of {@code pages} pages, or whole. */
    void refined(boolean pageFrame, int pages, long wire) {
        blocksRefined.incrementAndGet();
        if (pageFrame) {
            pagesSent.addAndGet(pages);
            deltaBytes.addAndGet(wire);
        }
    }

    /** The receiver's verdict on a file that was sent. */
    void fileDone(OutgoingFile f, Message.FileDone d) {
        Message.FilePlan compared = itemize != null && compareAll ? comparing.remove(f.id) : null;
        if (compared != null && d.status() == Message.FileDone.OK) { // a failed file is reported as failed instead
            String item = Itemizer.compared(f.entry, compared, "identical".equals(d.detail()));
            if (item != null) {
                itemize.accept(item);
            }
        }
        if (d.status() != Message.FileDone.OK) {
            failedFiles.add(f.entry.path() + ": " + d.detail());
            if (d.status() == ErrorCode.VERIFY.code()) {
                verifyFailures.incrementAndGet();
            }
        } else if ("identical".equals(d.detail())) {
            // Compared block by block (--checksum, --ignore-times) and found the same: counted as sent at its PLAN
            // line, it was not, as rsync's --stats does not count it as transferred.
            identicalFiles.incrementAndGet();
            filesSent.decrementAndGet();
        }
    }

    void deleted(Message.Deleted d) {
        deletedCount.addAndGet(d.paths().size());
        if (itemize != null) {
            for (String p : d.paths()) {
                itemize.accept(Itemizer.deleted(p));
            }
        }
    }

    void streamDone(ZeroCopyStats stats) {
        zeroCopy.add(stats);
    }

    boolean anyVerifyFailure() {
        return verifyFailures.get() > 0;
    }

    TransferResult result(double seconds, boolean verified, int streams, String error, List<String> skipped, int exit,
                          String ioPath, long entries) {
        return new TransferResult((int) Math.min(Integer.MAX_VALUE, fileCount.get()), totalBytes.get(),
                wireBytes.get(), seconds, verified, blocksSent.get(), blocksUnchanged.get(), (int) identicalFiles.get(),
                streams, error, List.copyOf(failedFiles), skipped, exit, ioPath, zeroCopy.snapshot(),
                new TransferResult.TreeStats(entries, filesSent.get(), deletedCount.get(), skipped.size()),
                new TransferResult.DeltaStats(blocksRefined.get(), pagesSent.get(), deltaBytes.get()));
    }
}
