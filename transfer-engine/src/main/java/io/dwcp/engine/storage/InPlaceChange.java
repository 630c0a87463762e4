package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.zerocopy.DataFile;
import java.io.IOException;

/**
 * One file changed in place ({@code send --inplace}): the file at the final name, open for writing, and the
 * {@link UndoLog} under the part name that every write goes through ({@link #file()}). Ends in {@link #commit()} (the
 * new version is verified and flushed: the log goes) or {@link #rollBack()} (the old bytes come back). Called under
 * its {@link IncomingFile}'s lock.
 */
final class InPlaceChange {
    private final StorageRoot root;
    private final String logPath;
    private final String shown;
    private final DataFile target;
    private final UndoLog undo;
    private final UndoingFile file;

    private InPlaceChange(StorageRoot root, String logPath, String shown, DataFile target, UndoLog undo) {
        this.root = root;
        this.logPath = logPath;
        this.shown = shown;
        this.target = target;
        this.undo = undo;
        this.file = new UndoingFile(target, undo);
    }

    /**
     * Starts changing {@code finalPath} (now {@code oldSize} bytes, mtime {@code oldMtimeNanos}) in place, with its
     * undo log at {@code logPath}. The file's mtime is moved off the old one at once, so that while it is half
     * changed no quick check can take it for the old or the new file.
     */
    static InPlaceChange begin(StorageRoot root, String finalPath, String logPath, String shown, int logMode,
                               long oldSize, long oldMtimeNanos, int maxRange, boolean durable) throws DwcpException {
        DataFile log = root.createExclusive(logPath, logMode, shown);
        DataFile target = null;
        UndoLog undo = null;
        try {
            target = root.openPart(finalPath, logMode, shown);
            undo = UndoLog.begin(log, target, oldSize, oldMtimeNanos, maxRange, durable);
            long now = System.currentTimeMillis() * 1_000_000L;
            target.setTimes(now, now);
            return new InPlaceChange(root, logPath, shown, target, undo);
        } catch (IOException e) {
            try {
                if (undo != null) {
                    undo.rollback(); // nothing written yet but the mtime: put it back too
                } else {
                    log.close();
                }
                if (target != null) {
                    target.close();
                }
            } catch (IOException ignored) {
                // reporting the first failure
            }
            root.deleteQuietly(logPath);
            throw e instanceof DwcpException d ? d : new DwcpException(ErrorCode.IO, "path=\"" + shown
                    + "\" reason=in-place-open-failed detail=\"" + e.getMessage() + "\"");
        }
    }

    /** The file as the receive path writes it: every write through the undo log. */
    DataFile file() {
        return file;
    }

    /** The file itself, for reading basis blocks (never among the writes waiting for the log). */
    DataFile target() {
        return target;
    }

    /** The new version is verified, flushed by the caller if durable, and in place: the undo log goes. */
    void commit() throws DwcpException {
        try {
            undo.commit();
        } catch (IOException e) {
            throw new DwcpException(ErrorCode.IO, "path=\"" + shown + "\" reason=undo-commit-failed detail=\""
                    + e.getMessage() + "\"");
        } finally {
            closeTarget();
        }
        root.deleteQuietly(logPath);
    }

    /**
     * Puts the old bytes back (a failed or interrupted change). Writes still in flight on data threads wait for the
     * log's monitor and are refused once it is closed. If the rollback itself fails, the log stays under the part
     * name, and {@link UndoLog#recoverAt} finishes the job before the file is used again.
     */
    void rollBack() {
        try {
            undo.rollback();
            root.deleteQuietly(logPath);
        } catch (IOException | RuntimeException e) {
            // the log stays for recoverAt
        } finally {
            closeTarget();
        }
    }

    private void closeTarget() {
        try {
            target.close();
        } catch (IOException ignored) {
            // flushed (or rolled back) before
        }
    }
}
