package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.zerocopy.DataFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The undo log of a file changed in place ({@code send --inplace}): before a range of the file is overwritten, its
 * old bytes are appended here (and flushed, unless the transfer is scratch data), so that a failed or interrupted
 * transfer can put every old byte back. It lives under the file's part name, which no other file may use while the
 * transfer runs; a server that finds one there (after a crash) rolls the file back before anything else.
 *
 * <pre>
 *  header:  magic "DWCPUNDO" (8) | version i32 | reserved i32 | old size i64 | old mtime ns i64     (32 bytes)
 *  record:  offset i64 | length i32 | CRC32C of the old bytes i32 | old bytes (length)             (repeated)
 * </pre>
 *
 * Records are replayed newest first; a torn last record (a crash while appending it) is ignored: its range was not
 * written yet, because a range is written only after its record is complete. All integers little-endian.
 * One instance per file; writes are serialized through it.
 *
 * <p>Durable logs group their flushes: new bytes wait in a bounded buffer ({@link #PENDING_BYTES}) while their old
 * bytes are appended, and one flush of the log makes a whole group safe before the group is written (a flush per
 * changed page cost ten times the transfer on a disk). Nothing reads a range while its new bytes wait: a block is
 * digested from memory before it is written, and written once.
 */
public final class UndoLog implements AutoCloseable {
    static final long MAGIC = 0x4f444e5550435744L; // "DWCPUNDO" read as a little-endian long
    static final int VERSION = 1;
    static final int HEADER = 32;
    private static final int RECORD = 16;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DataFile log;
    private final DataFile target;
    private final long oldSize;
    private final boolean durable;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private final CRC32C crc = new CRC32C();
    private long end = HEADER;
    private boolean closed;
    /** New bytes waiting for the log's next flush, and where they go. */
    static final int PENDING_BYTES = 8 << 20;
    private static final int PENDING_RANGES = 4096;
    private final MemorySegment pending;
    private final long[] pendingAt = new long[PENDING_RANGES];
    private final int[] pendingLength = new int[PENDING_RANGES];
    private int pendingCount;
    private long pendingUsed;

    private UndoLog(DataFile log, DataFile target, long oldSize, long oldMtimeNanos, int maxRange, boolean durable)
            throws IOException {
        this.log = log;
        this.target = target;
        this.oldSize = oldSize;
        this.durable = durable;
        this.buffer = arena.allocate(RECORD + (long) maxRange, 4096);
        this.pending = durable ? arena.allocate(PENDING_BYTES, 4096) : null;
        buffer.set(LONG, 0, MAGIC);
        buffer.set(INT, 8, VERSION);
        buffer.set(INT, 12, 0);
        buffer.set(LONG, 16, oldSize);
        buffer.set(LONG, 24, oldMtimeNanos);
        log.writeFully(buffer, 0, HEADER, 0);
        if (durable) {
            log.force(false);
        }
    }

    /**
     * Starts the undo log of {@code target} (now {@code oldSize} bytes, mtime {@code oldMtimeNanos}) in {@code log}, a
     * new empty file; ranges written through it are at most {@code maxRange} bytes.
     */
    public static UndoLog begin(DataFile log, DataFile target, long oldSize, long oldMtimeNanos, int maxRange,
                                boolean durable) throws IOException {
        try {
            return new UndoLog(log, target, oldSize, oldMtimeNanos, maxRange, durable);
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /**
     * Writes {@code src[srcOffset, srcOffset + length)} at {@code position} of the target, after saving the bytes it
     * replaces (those below the old size: a range beyond it is new, and the rollback cuts the file back).
     */
    public synchronized void write(MemorySegment src, long srcOffset, long length, long position) throws IOException {
        if (closed) {
            throw new IOException("reason=undo-log-closed");
        }
        long saved = Math.max(0, Math.min(length, oldSize - position));
        if (saved > 0) {
            if (saved > buffer.byteSize() - RECORD) {
                throw new IllegalArgumentException("reason=range-too-large length=" + saved);
            }
            readFully(target, buffer, RECORD, saved, position);
            crc.reset();
            crc.update(buffer.asSlice(RECORD, saved).asByteBuffer());
            buffer.set(LONG, 0, position);
            buffer.set(INT, 8, (int) saved);
            buffer.set(INT, 12, (int) crc.getValue());
            log.writeFully(buffer, 0, RECORD + saved, end);
            end += RECORD + saved;
        }
        if (pending == null) {
            target.writeFully(src, srcOffset, length, position); // scratch data: no flush to wait for
            return;
        }
        if (pendingUsed + length > PENDING_BYTES || pendingCount == PENDING_RANGES) {
            flushPending();
        }
        if (length > PENDING_BYTES) {
            log.force(false); // the old bytes are safe before any of them is overwritten
            target.writeFully(src, srcOffset, length, position);
            return;
        }
        MemorySegment.copy(src, srcOffset, pending, pendingUsed, length);
        pendingAt[pendingCount] = position;
        pendingLength[pendingCount++] = (int) length;
        pendingUsed += length;
    }

    /** Flushes the log, then writes the new bytes waiting for it. */
    public synchronized void flushPending() throws IOException {
        if (pendingCount == 0) {
            return;
        }
        log.force(false); // the old bytes are safe before any of them is overwritten
        long at = 0;
        for (int i = 0; i < pendingCount; i++) {
            target.writeFully(pending, at, pendingLength[i], pendingAt[i]);
            at += pendingLength[i];
        }
        pendingCount = 0;
        pendingUsed = 0;
    }

    /** The new version is verified and in place: the old bytes are no longer needed. Closes the log. */
    public synchronized void commit() throws IOException {
        flushPending();
        close();
    }

    /**
     * Puts every old byte back, newest record first, cuts the file to its old size and flushes it; then closes the
     * log (the caller removes it).
     */
    public synchronized void rollback() throws IOException {
        if (closed) {
            return;
        }
        pendingCount = 0; // never written: the old bytes are still there
        pendingUsed = 0;
        replay(log, target, end, durable);
        close();
    }

    /**
     * Rolls {@code target} back from the undo log {@code log} left by an interrupted transfer (a server that
     * crashed). Returns false when {@code log} is not an undo log (then nothing is touched).
     */
    public static boolean recover(DataFile log, DataFile target) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(HEADER);
            if (log.size() < HEADER || read(log, h, 0, HEADER, 0) < HEADER || h.get(LONG, 0) != MAGIC
                    || h.get(INT, 8) != VERSION) {
                return false;
            }
        }
        replay(log, target, log.size(), true);
        return true;
    }

    /**
     * Rolls the file at {@code finalPath} back if an interrupted in-place transfer left its undo log under the part
     * name; removes the log. Returns whether it did. Called with the path claimed, before the file is looked at.
     */
    public static boolean recoverAt(StorageRoot root, String finalPath, String shown) throws DwcpException {
        String logPath = io.dwcp.core.manifest.RelativePaths.partPath(finalPath);
        DataFile log;
        try {
            log = root.openRead(logPath, shown);
        } catch (DwcpException e) {
            return false; // no part file: nothing to recover
        }
        try (log; DataFile target = root.openPart(finalPath, 0600, shown)) {
            if (!recover(log, target)) {
                return false; // a part file of another kind (a resume journal, a leftover)
            }
        } catch (IOException e) {
            throw new DwcpException(ErrorCode.IO, "path=\"" + shown + "\" reason=in-place-rollback-failed detail=\""
                    + e.getMessage() + "\"");
        }
        root.deleteQuietly(logPath);
        return true;
    }

    private static void replay(DataFile log, DataFile target, long end, boolean durable) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(HEADER);
            readFully(log, h, 0, HEADER, 0);
            long oldSize = h.get(LONG, 16);
            long oldMtime = h.get(LONG, 24);
            // Find the complete records first (forward), then undo them newest first.
            java.util.ArrayList<long[]> records = new java.util.ArrayList<>();
            MemorySegment r = a.allocate(RECORD);
            long at = HEADER;
            while (at + RECORD <= end && read(log, r, 0, RECORD, at) == RECORD) {
                long position = r.get(LONG, 0);
                int length = r.get(INT, 8);
                if (length <= 0 || position < 0 || at + RECORD + length > end) {
                    break; // torn: its range was never written
                }
                records.add(new long[] {position, length, at + RECORD, r.get(INT, 12) & 0xffffffffL});
                at += RECORD + length;
            }
            MemorySegment old = null;
            CRC32C crc = new CRC32C();
            for (int i = records.size() - 1; i >= 0; i--) {
                long[] rec = records.get(i);
                int length = (int) rec[1];
                if (old == null || old.byteSize() < length) {
                    old = a.allocate(length, 4096);
                }
                readFully(log, old, 0, length, rec[2]);
                crc.reset();
                crc.update(old.asSlice(0, length).asByteBuffer());
                if ((crc.getValue() & 0xffffffffL) != rec[3]) {
                    throw new DwcpException(ErrorCode.IO, "reason=undo-record-corrupt offset=" + rec[0]);
                }
                target.writeFully(old, 0, length, rec[0]);
            }
            target.truncate(oldSize);
            target.setTimes(oldMtime, oldMtime);
            if (durable) {
                target.force(true);
            }
        }
    }

    private static int read(DataFile f, MemorySegment into, long at, long length, long position) throws IOException {
        return f.readAtMost(into, at, (int) length, position);
    }

    private static void readFully(DataFile f, MemorySegment into, long at, long length, long position)
            throws IOException {
        if (read(f, into, at, length, position) < length) {
            throw new IOException("reason=short-read position=" + position + " length=" + length);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            arena.close();
            log.close();
        }
    }
}
