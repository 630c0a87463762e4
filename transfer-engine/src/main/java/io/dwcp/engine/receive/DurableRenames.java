package io.dwcp.engine.receive;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Log;
import io.dwcp.engine.storage.IncomingFile;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.FileSystemFlush;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Group commit of a session's verified files, so that a file under its final name survives a power loss: its data
 * is flushed before the rename and its directory after it. One flush per file would cost a tree a journal commit per
 * file; here verified files ({@link IncomingFile.State#VERIFIED}: part cut to size, metadata set, fd open) wait in a
 * batch, and a batch is committed as
 * <ol>
 * <li>its data: one {@code syncfs} of the file system (one journal commit for the whole batch), or, for a batch of
 *     at most {@link #FSYNC_MAX_FILES} files (a lone big file, the tail of a tree), an {@code fsync} of each, which
 *     does not write out whatever else is dirty there (another session's big file);</li>
 * <li>the renames, each file's failure its own;</li>
 * <li>an {@code fsync} of each distinct parent directory, or a second {@code syncfs} when there are more than
 *     {@link #MAX_DIRECTORY_SYNCS};</li>
 * <li>then each file's completion (its FILE_DONE): the sender counts a file only once it is durably in place.</li>
 * </ol>
 * A batch is due when it holds {@link #MAX_FILES} files or {@link #MAX_BYTES} bytes, when its oldest file has waited
 * {@link #MAX_WAIT_NANOS}, when the session has no file still receiving ({@link #flushSoon}: waiting could not make
 * the batch any bigger, and the sender may be waiting for these FILE_DONEs), and at COMMIT ({@link #drain}). Batches
 * are committed one at a time by this session's own platform thread (a long {@code syncfs} must not pin a carrier of
 * the virtual session thread, nor hold up a data stream); while one is committed the next gathers, so batches grow
 * to the disk's pace. Adders block while {@link #MAX_FILES} files wait: at most twice that many parts are open.
 */
final class DurableRenames implements AutoCloseable {
    /**
     * Most files a batch holds. {@code -Ddwcp.durable.maxFiles=1} (for benchmarks only) commits every file by itself,
     * as a flush per file would: what the batching saves.
     */
    static final int MAX_FILES = Math.max(1, Integer.getInteger("dwcp.durable.maxFiles", 256));

    /**
     * Files that may wait, each holding its part file open: {@link #MAX_FILES}, or less where the process may open
     * few files (half of {@link IncomingFile#openPartsLimit()}, at least 4), so that waiting files cannot exhaust
     * the fds the data streams need.
     */
    static int maxWaiting() {
        return Math.min(MAX_FILES, Math.max(4, IncomingFile.openPartsLimit() / 2));
    }
    static final long MAX_BYTES = 256L << 20;
    static final long MAX_WAIT_NANOS = 20_000_000L;
    /** Batches up to this many files are flushed file by file; larger ones with one {@code syncfs}. */
    static final int FSYNC_MAX_FILES = 4;
    /** More distinct directories than this in a batch are flushed with a second {@code syncfs}. */
    static final int MAX_DIRECTORY_SYNCS = 8;

    private static final Log LOG = Log.of("session");

    /** Where the flushes go: the file system under the root, or a test's counter. */
    interface Syncer extends AutoCloseable {
        /** Flushes the whole file system ({@code syncfs}); false when this I/O path has no such call. */
        boolean syncFileSystem() throws DwcpException;

        /** Flushes one verified file's data and metadata; a failure has failed the file. */
        void syncFile(IncomingFile f) throws DwcpException;

        /** Flushes directory {@code dir} below the root ("" is the root). */
        void syncDirectory(String dir) throws DwcpException;

        @Override
        default void close() {
        }
    }

    /** A file's end, on the committing thread: in place ({@code error} null), or failed at its flush or rename. */
    interface Completion {
        void completed(IncomingFile f, DwcpException error);
    }

    private final String name;
    private final Syncer syncer;
    private final Completion completion;
    private final long maxWaitNanos;

    // Guarded by this.
    private final ArrayDeque<IncomingFile> pending = new ArrayDeque<>();
    private long pendingBytes;
    private long oldestNanos;
    private boolean urgent;
    private boolean flushing;
    private boolean closed;
    private Thread thread;

    // Counters: written by the committing thread, read for the session's last log line.
    private volatile long batches;
    private volatile long renamed;
    private volatile long fileSystemSyncs;
    private volatile long fileSyncs;
    private volatile long directorySyncs;
    private volatile long flushNanos;

    DurableRenames(String name, Syncer syncer, Completion completion) {
        this(name, syncer, completion, MAX_WAIT_NANOS);
    }

    /** With another longest wait (tests). */
    DurableRenames(String name, Syncer syncer, Completion completion, long maxWaitNanos) {
        this.name = name;
        this.syncer = syncer;
        this.completion = completion;
        this.maxWaitNanos = maxWaitNanos;
    }

    /**
     * The real syncer for {@code root}: a {@code syncfs} handle opened now, before the session writes anything, so a
     * writeback error from here on is reported by its flushes ({@link FileSystemFlush}); without one (the portable
     * path, or the handle could not be opened) files are forced one by one.
     */
    static Syncer syncer(StorageRoot root) {
        FileSystemFlush fs;
        try {
            fs = root.openFileSystemFlush();
        } catch (DwcpException e) {
            LOG.warn("reason=no-syncfs detail=\"" + e.getMessage() + "\" files are flushed one by one");
            fs = null;
        }
        FileSystemFlush flush = fs;
        return new Syncer() {
            @Override
            public boolean syncFileSystem() throws DwcpException {
                if (flush == null) {
                    return false;
                }
                try {
                    flush.flush();
                    return true;
                } catch (IOException e) {
                    throw new DwcpException(ErrorCode.IO, "path=\".\" reason=syncfs-failed detail=\"" + e.getMessage()
                            + "\"");
                }
            }

            @Override
            public void syncFile(IncomingFile f) throws DwcpException {
                f.force();
            }

            @Override
            public void syncDirectory(String dir) throws DwcpException {
                root.syncDirectory(dir, dir.isEmpty() ? "." : dir);
            }

            @Override
            public void close() {
                if (flush != null) {
                    flush.close();
                }
            }
        };
    }

    /**
     * Queues a {@link IncomingFile.State#VERIFIED} file for its flush and rename; its completion follows on the
     * committing thread. Blocks while {@link #MAX_FILES} files wait already. False once the session has ended: the
     * caller interrupts the file.
     */
    synchronized boolean add(IncomingFile f) throws InterruptedException {
        while (!closed && pending.size() >= maxWaiting()) {
            wait();
        }
        if (closed) {
            return false;
        }
        if (pending.isEmpty()) {
            oldestNanos = System.nanoTime();
        }
        pending.add(f);
        pendingBytes += f.entry().size();
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("dwcp-commit-" + name).start(this::run);
        }
        if (pending.size() == 1 || due(System.nanoTime())) {
            notifyAll(); // the first file sets the deadline; a full batch goes now
        }
        return true;
    }

    /** Nothing is receiving any more: waiting could not make the batch bigger, so it goes now. */
    synchronized void flushSoon() {
        if (!pending.isEmpty()) {
            urgent = true;
            notifyAll();
        }
    }

    /**
     * Commits every queued file and waits until it is done (COMMIT: hard links need their targets in place, and
     * DONE may only follow the last FILE_DONE). Returns at once once the session has ended.
     */
    synchronized void drain() throws InterruptedException {
        if (!pending.isEmpty()) {
            urgent = true;
            notifyAll();
        }
        while (!closed && (flushing || !pending.isEmpty())) {
            wait();
        }
    }

    /**
     * Flushes the whole file system once more (after COMMIT made hard links and set directory metadata), or, where
     * there is no {@code syncfs}, each of {@code dirs}. Called on the session thread after {@link #drain}.
     */
    void syncTree(Collection<String> dirs) throws DwcpException {
        long t0 = System.nanoTime();
        if (syncer.syncFileSystem()) {
            fileSystemSyncs++;
        } else {
            for (String d : dirs) {
                syncer.syncDirectory(d);
                directorySyncs++;
            }
        }
        flushNanos += System.nanoTime() - t0;
    }

    /**
     * The session ended: no more files are taken, waiting adders and a drain return, and the committing thread
     * stops after the batch it is on (its files were interrupted by the session, so they are skipped). Files still
     * queued stay {@link IncomingFile.State#VERIFIED} for the session to interrupt.
     */
    @Override
    public void close() {
        boolean closeNow;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
            closeNow = thread == null;
        }
        if (closeNow) {
            syncer.close(); // else the committing thread closes it when it leaves
        }
    }

    /** {@code durable batches=3 renamed=1000 syncfs=4 fsync_files=0 fsync_dirs=0 flush_ms=41}. */
    String stats() {
        return "durable batches=" + batches + " renamed=" + renamed + " syncfs=" + fileSystemSyncs + " fsync_files="
                + fileSyncs + " fsync_dirs=" + directorySyncs + " flush_ms=" + flushNanos / 1_000_000;
    }

    long batches() {
        return batches;
    }

    long fileSystemSyncs() {
        return fileSystemSyncs;
    }

    private boolean due(long now) {
        return !pending.isEmpty() && (urgent || pending.size() >= maxWaiting() || pendingBytes >= MAX_BYTES
                || now - oldestNanos >= maxWaitNanos);
    }

    private void run() {
        try {
            while (true) {
                List<IncomingFile> batch;
                synchronized (this) {
                    while (true) {
                        if (closed) {
                            return;
                        }
                        long now = System.nanoTime();
                        if (due(now)) {
                            break;
                        }
                        if (pending.isEmpty()) {
                            urgent = false;
                            wait();
                        } else {
                            long left = Math.min(maxWaitNanos - (now - oldestNanos), 60_000_000_000L);
                            wait(Math.max(1, left / 1_000_000));
                        }
                    }
                    batch = new ArrayList<>(pending);
                    pending.clear();
                    pendingBytes = 0;
                    urgent = false;
                    flushing = true;
                    notifyAll(); // adders waiting for room
                }
                try {
                    commit(batch);
                } finally {
                    synchronized (this) {
                        flushing = false;
                        notifyAll(); // a drain waiting for this batch
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            syncer.close();
        }
    }

    /** Flush, renames, directory flushes, completions: see the class comment. */
    private void commit(List<IncomingFile> batch) {
        long t0 = System.nanoTime();
        Set<IncomingFile> open = new LinkedHashSet<>(batch); // not completed yet
        try {
            boolean whole = false;
            if (batch.size() > FSYNC_MAX_FILES) {
                try {
                    whole = syncer.syncFileSystem();
                    if (whole) {
                        fileSystemSyncs++;
                    }
                } catch (DwcpException e) {
                    // A writeback error somewhere on the file system: an fsync of each file tells whose it was.
                    LOG.warn("session=" + name + " " + e.getMessage() + " forcing each file");
                }
            }
            if (!whole) {
                for (IncomingFile f : batch) {
                    try {
                        syncer.syncFile(f);
                        fileSyncs++;
                    } catch (DwcpException e) {
                        complete(open, f, e);
                    }
                }
            }
            List<IncomingFile> inPlace = new ArrayList<>(open.size());
            Set<String> dirs = new LinkedHashSet<>();
            // A batch's files come a directory at a time: each directory is resolved once and held for its run of
            // renames (an openat2 and a close per file were a third of a tree's commit), and its name made once.
            String held = null;
            ConfinedDirectory dir = null;
            try {
                for (IncomingFile f : new ArrayList<>(open)) {
                    String path = f.finalPath();
                    if (held == null || !inDirectory(path, held)) {
                        closeQuietly(dir);
                        held = parent(path);
                        dir = f.openDirectory(held);
                    }
                    try {
                        if (f.renameIntoPlace(dir)) {
                            inPlace.add(f);
                            dirs.add(held);
                        } else {
                            open.remove(f); // interrupted meanwhile: the session has ended, no FILE_DONE
                        }
                    } catch (DwcpException e) {
                        complete(open, f, e);
                    }
                }
            } finally {
                closeQuietly(dir);
            }
            Map<String, DwcpException> failedDirs = syncDirectories(dirs);
            renamed += inPlace.size();
            batches++;
            flushNanos += System.nanoTime() - t0;
            for (IncomingFile f : inPlace) {
                complete(open, f, failedDirs.isEmpty() ? null : failedDirs.get(parent(f.finalPath())));
            }
        } catch (RuntimeException e) {
            DwcpException failure = new DwcpException(ErrorCode.INTERNAL, "reason=commit-failed detail=\"" + e + "\"");
            for (IncomingFile f : new ArrayList<>(open)) {
                f.fail();
                complete(open, f, failure);
            }
        }
    }

    /** Flushes the directories the renames changed; returns the ones that failed. */
    private Map<String, DwcpException> syncDirectories(Set<String> dirs) {
        Map<String, DwcpException> failed = new HashMap<>();
        if (dirs.isEmpty()) {
            return failed;
        }
        if (dirs.size() > MAX_DIRECTORY_SYNCS) {
            try {
                if (syncer.syncFileSystem()) {
                    fileSystemSyncs++;
                    return failed;
                }
            } catch (DwcpException e) {
                LOG.warn("session=" + name + " " + e.getMessage() + " syncing each directory");
            }
        }
        for (String d : dirs) {
            try {
                syncer.syncDirectory(d);
                directorySyncs++;
            } catch (DwcpException e) {
                failed.put(d, e);
            }
        }
        return failed;
    }

    /** Reports {@code f} once; a failure before its rename leaves no part file (a file in place stays). */
    private void complete(Set<IncomingFile> open, IncomingFile f, DwcpException error) {
        if (open.remove(f)) {
            if (error != null) {
                f.fail();
            }
            completion.completed(f, error);
        }
    }

    private static void closeQuietly(ConfinedDirectory dir) {
        if (dir != null) {
            dir.close();
        }
    }

    /** Whether {@code path}'s parent is {@code dir} ({@link #parent}), without making it. */
    static boolean inDirectory(String path, String dir) {
        int slash = path.lastIndexOf('/');
        int n = Math.max(slash, 0);
        return dir.length() == n && path.regionMatches(0, dir, 0, n);
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }
}
