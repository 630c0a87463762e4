package io.dwcp.engine.send;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads an {@link EntrySource}'s batches on a thread of its own, a bounded number ahead of the sender: the walk
 * of a tree (directory reads and a {@code statx} per name) goes on while the sender encodes and offers the batch
 * before, and while it waits for the receiver's plans. The source is used by that thread alone until
 * {@link #close} has joined it.
 */
final class BatchPrefetcher implements AutoCloseable {
    /** What the queue holds after the last batch. */
    private static final Object END = new Object();

    private final EntrySource source;
    private final int maxEntries;
    private final long maxBytes;
    private final BlockingQueue<Object> ready;
    private final Thread thread;
    private volatile boolean closed;
    private boolean ended;

    /**
     * Starts reading at once.
     *
     * @param ahead batches read and not yet taken, at most (each is one OFFER: {@code maxEntries} entries)
     */
    BatchPrefetcher(EntrySource source, int maxEntries, long maxBytes, int ahead) {
        this.source = source;
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.ready = new ArrayBlockingQueue<>(ahead);
        this.thread = Thread.ofPlatform().daemon().name("dwcp-scan").start(this::run);
    }

    private void run() {
        try {
            EntrySource.Batch b;
            do {
                b = source.next(maxEntries, maxBytes);
                ready.put(b == null ? END : b);
            } while (b != null && !closed);
        } catch (InterruptedException e) {
            // closed while waiting for room: the sender has stopped taking batches
        } catch (IOException | RuntimeException e) {
            try {
                ready.put(e);
            } catch (InterruptedException ignored) {
                // closed: nobody is left to report it to
            }
        }
    }

    /** The next batch, or null after the last; a failure of the walk is thrown here, on the sender's thread. */
    EntrySource.Batch next() throws IOException {
        if (ended) {
            return null;
        }
        Object o;
        try {
            o = ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the file list");
        }
        if (o == END) {
            ended = true;
            return null;
        }
        if (o instanceof IOException e) {
            ended = true;
            throw e;
        }
        if (o instanceof RuntimeException e) {
            ended = true;
            throw e;
        }
        return (EntrySource.Batch) o;
    }

    /** Stops the walk where it is and waits for its thread: after this the source is the caller's again. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
