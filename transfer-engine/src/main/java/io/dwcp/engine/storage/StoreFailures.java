package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Whether a failure to store a block is its file's alone, so that the file fails by name and the rest of the tree
 * goes on (rsync's way with a path it cannot create), or says something about the whole destination, which ends
 * the transfer: a full or read-only file system, an I/O error, no fds left.
 */
public final class StoreFailures {
    private StoreFailures() {
    }

    /**
     * True for a path the server refused, for a part file that could not be opened for a reason of its path (a
     * parent that is missing or not a directory, which the planner could not make; no permission there; a name too
     * long; a link in the way), and for a file bigger than this file system or the server's file-size limit takes
     * (EFBIG: the next file may fit).
     */
    public static boolean onlyThisFile(DwcpException e) {
        if (e.code() == ErrorCode.PATH) {
            return true;
        }
        if (e.code() != ErrorCode.IO) {
            return false;
        }
        Throwable cause = e.getCause();
        if (cause instanceof NativeIoException n) {
            return switch (n.errno()) {
                case Errno.ENOENT, Errno.ENOTDIR, Errno.EACCES, Errno.EPERM, Errno.ENAMETOOLONG, Errno.ELOOP,
                        Errno.EISDIR, Errno.EFBIG -> true;
                default -> false;
            };
        }
        return cause instanceof NoSuchFileException || cause instanceof AccessDeniedException
                || cause instanceof NotDirectoryException || cause instanceof FileSystemLoopException;
    }
}
