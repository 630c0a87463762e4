package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.zerocopy.DataFile;
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
    private long copiedTo;
    private boolean cancelled;
    private boolean running;
    private IOException failure;

    private BasisCopy(DataFile part, DataFile basis, long length, String shown) {
        this.part = part;
        this.basis = basis;
        this.length = length;
        this.shown = shown;
    }

    /**
     * Starts making {@code part}'s first {@code length} bytes those of {@code basis} (which this copy closes when it
     * ends): done on return when cloned or small, else under way on a background thread.
     */
    static BasisCopy start(DataFile part, DataFile basis, long length, String shown) throws DwcpException {
        BasisCopy c = new BasisCopy(part, basis, length, shown);
        try {
            boolean cloned = part.cloneFrom(basis, length);
            if (cloned || length < MIN_BACKGROUND || !COPIERS.tryAcquire()) {
                if (!cloned) {
                    c.copyAll();
                }
                c.copiedTo = length;
                c.closeBasis();
                return c;
            }
        } catch (IOException e) {
            c.closeBasis();
            throw c.failed(e);
        }
        c.running = true;
        Thread.ofPlatform().daemon().name("dwcp-basis-copy").start(c::run);
        return c;
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
            throw failed(failure);
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

    private void closeBasis() {
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
