package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.FileStat;
import java.io.IOException;
import java.util.concurrent.Semaphore;

/**
 * Makes a part file start as the basis: a reflink clone where the file system shares extents (instant, whatever the
 * size), else a copy in the kernel. A big copy runs on a thread of its own, front to back in chunks, and publishes
 * how far it has come, so a block is written as soon as the copy has passed it instead of after the whole copy: the
 * copy overlaps the transfer. The copier never takes its file's lock, so the file may wait for it under its lock.
 */
final class BasisCopy {
    /** Bases smaller than this are copied at once, inline: their copy is short. */
    static final long MIN_BACKGROUND = 64L << 20;
    /** Copied per step; what a waiting block waits for at most. */
    static final long CHUNK = 32L << 20;
    /** Background copies at once: each takes a core and the disk's bandwidth. */
    private static final Semaphore COPIERS = new Semaphore(2);

    private final DataFile part;
    private final DataFile basis;
    private final long length;
    private final String shown;
    /** The basis as the plan saw it before digesting it, or null when that is not known. */
    private final FileStat seen;
    private long copiedTo;
    private boolean cancelled;
    private boolean running;
    private IOException failure;

    private BasisCopy(DataFile part, DataFile basis, long length, String shown, FileStat seen) {
        this.part = part;
        this.basis = basis;
        this.length = length;
        this.shown = shown;
        this.seen = seen;
    }

    /**
     * Starts making {@code part}'s first {@code length} bytes those of {@code basis} (which this copy closes when it
     * ends): done on return when cloned or small, else under way on a background thread.
     *
     * <p>The blocks that do not travel are taken on trust from the plan's digests of the basis, so the basis must
     * still be the file the plan digested: {@code seen} (its statx then) is compared with the open basis before the
     * copy and again after it, and a basis written meanwhile (its change time moved) fails the file with
     * {@code reason=basis-changed} instead of mixing old and new bytes under a digest that matches.
     */
    static BasisCopy start(DataFile part, DataFile basis, long length, String shown, FileStat seen)
            throws DwcpException {
        BasisCopy c = new BasisCopy(part, basis, length, shown, seen);
        try {
            c.checkUnchanged();
            boolean cloned = part.cloneFrom(basis, length);
            if (cloned || length < MIN_BACKGROUND || !COPIERS.tryAcquire()) {
                if (!cloned) {
                    c.copyAll();
                }
                c.checkUnchanged();
                c.copiedTo = length;
                c.closeBasis();
                return c;
            }
        } catch (DwcpException e) {
            c.closeBasis();
            throw e;
        } catch (IOException e) {
            c.closeBasis();
            throw c.failed(e);
        }
        c.running = true;
        Thread.ofPlatform().daemon().name("dwcp-basis-copy").start(c::run);
        return c;
    }

    /**
     * A part file that already shares the basis's first {@code length} bytes (a clone made when the file was planned,
     * {@link #cloneAhead}): nothing to copy or wait for.
     */
    static BasisCopy shared(long length, String shown) {
        BasisCopy c = new BasisCopy(null, null, length, shown, null);
        c.copiedTo = length;
        return c;
    }

    /**
     * A new part file at {@code partPath}, open, sharing the first {@code length} bytes of the basis at
     * {@code finalPath} by reflink; null, with nothing left behind, where the file system cannot share them (or
     * anything else goes wrong: the part file is then made as usual when the first block lands, and that path reports
     * the error).
     *
     * <p>Made when the file is planned, so that the plan's block digests, a REFINE's page digests and the basis
     * bytes under each rebuilt block are all read from this one file. A clone shares disk blocks, not cached pages:
     * digesting the basis at the final name and then reading the clone read the basis from the disk twice (XFS on a
     * loop device, 2 GiB with 1 % of its pages changed: 1.9 GiB read back cold, 4.7 s against 1.9 s in place).
     * It also makes the digests describe exactly the bytes the part file holds, whatever happens at the final name
     * meanwhile.
     */
    static DataFile cloneAhead(StorageRoot root, String finalPath, String partPath, long length, String shown) {
        DataFile part;
        try {
            part = root.createExclusive(partPath, IncomingFile.PART_MODE, shown);
        } catch (DwcpException e) {
            return null;
        }
        boolean cloned;
        try (DataFile basis = root.openRead(finalPath, shown)) {
            cloned = part.cloneFrom(basis, length);
        } catch (IOException | RuntimeException e) {
            cloned = false;
        }
        if (cloned) {
            return part;
        }
        try {
            part.close();
        } catch (IOException ignored) {
            // removed below either way
        }
        root.deleteQuietly(partPath);
        return null;
    }

    private void copyAll() throws IOException {
        if (length > 0) {
            part.copyRange(basis, 0, length);
        }
    }

    private void run() {
        try {
            long at = 0;
            while (at < length) {
                synchronized (this) {
                    if (cancelled) {
                        return;
                    }
                }
                long n = Math.min(CHUNK, length - at);
                part.copyRange(basis, at, n);
                at += n;
                if (at == length) {
                    checkUnchanged(); // before the last chunk counts: a waiting block then sees the failure
                }
                synchronized (this) {
                    copiedTo = at;
                    notifyAll();
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                failure = e instanceof IOException io ? io : new IOException(e.toString());
            }
        } finally {
            closeBasis();
            COPIERS.release();
            synchronized (this) {
                running = false;
                notifyAll();
            }
        }
    }

    /** Waits until the copy has passed {@code end} (or the basis's end); throws what stopped it. */
    synchronized void awaitCovered(long end) throws DwcpException {
        long want = Math.min(end, length);
        try {
            while (copiedTo < want && failure == null && running) {
                wait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DwcpException(ErrorCode.IO, "path=\"" + shown + "\" reason=interrupted");
        }
        if (failure != null) {
            throw failure instanceof DwcpException d ? d : failed(failure);
        }
        if (copiedTo < want) {
            throw new DwcpException(ErrorCode.IO, "path=\"" + shown + "\" reason=basis-copy-stopped");
        }
    }

    /** How far the part file holds the basis's bytes now. */
    synchronized long copiedTo() {
        return copiedTo;
    }

    /** Stops the copy (its file failed) and waits until the copier has let go of the part file. */
    synchronized void cancel() {
        cancelled = true;
        boolean interrupted = false;
        while (running) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Throws {@code reason=basis-changed} when the open basis is no longer the file the plan digested. */
    private void checkUnchanged() throws IOException {
        if (seen == null) {
            return;
        }
        FileStat now = basis.stat();
        if (now.inode() != seen.inode() || now.device() != seen.device() || now.size() != seen.size()
                || now.mtimeNanos() != seen.mtimeNanos() || now.ctimeNanos() != seen.ctimeNanos()) {
            throw new DwcpException(ErrorCode.VERIFY, "path=\"" + shown + "\" reason=basis-changed");
        }
    }

    private void closeBasis() {
        if (basis == null) {
            return;
        }
        try {
            basis.close();
        } catch (IOException ignored) {
            // opened read-only
        }
    }

    private DwcpException failed(IOException e) {
        return new DwcpException(ErrorCode.IO, "path=\"" + shown + "\" reason=basis-copy-failed detail=\""
                + e.getMessage() + "\"");
    }
}
