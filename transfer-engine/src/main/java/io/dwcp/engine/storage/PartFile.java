package io.dwcp.engine.storage;

import io.dwcp.zerocopy.DataFile;
import java.io.IOException;

/**
 * The open part file of one incoming file and the data streams landing bytes in it. Streams splice payloads
 * straight into the file while other blocks are verified, so the file is closed only once no landing is in
 * flight: a closed fd number can be reused by the next open, and a late splice must never write into another
 * file (or, after the rename, into the final name). All methods are called under the owning
 * {@link IncomingFile}'s lock.
 */
final class PartFile {
    /** Part files open in this process: what {@link IncomingFile} keeps below the process's fd limit. */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();

    private final DataFile file;
    private int landings;
    private boolean closeWhenIdle;
    private boolean closed;

    PartFile(DataFile file) {
        this.file = file;
        OPEN.incrementAndGet();
    }

    /** Part files open now, in every session of this process. */
    static int open() {
        return OPEN.get();
    }

    DataFile file() {
        return file;
    }

    void beginLanding() {
        landings++;
    }

    /** Returns true when this was the last landing and a close was waiting for it. */
    boolean endLanding() {
        return --landings == 0 && closeWhenIdle;
    }

    boolean landingInFlight() {
        return landings > 0;
    }

    /** Closes now, or as soon as the last landing ends. */
    void closeWhenIdle() {
        closeWhenIdle = true;
        if (landings == 0) {
            closeQuietly();
        }
    }

    void closeQuietly() {
        if (!closed) {
            closed = true;
            OPEN.decrementAndGet();
            try {
                file.close();
            } catch (IOException ignored) {
                // abandoning the file, or already flushed and closed by finish
            }
        }
    }

    boolean isClosed() {
        return closed;
    }
}
