package io.dwcp.engine.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class StoreFailuresTest {
    private static DwcpException io(IOException cause) {
        return new DwcpException(ErrorCode.IO, "path=\"f\" reason=open-failed", cause);
    }

    /** A file's own trouble lets the tree go on; the destination's ends the transfer. */
    @Test
    void aPathsOwnFailureIsTheFilesAloneAndTheDestinationsIsNot() {
        for (int errno : new int[] {Errno.ENOENT, Errno.ENOTDIR, Errno.EACCES, Errno.EPERM, Errno.ENAMETOOLONG,
                Errno.ELOOP, Errno.EISDIR, Errno.EFBIG}) {
            assertEquals(true, StoreFailures.onlyThisFile(io(new NativeIoException("openat2", errno))),
                    Errno.name(errno));
        }
        for (int errno : new int[] {Errno.ENOSPC, Errno.EROFS, Errno.EIO, Errno.EMFILE, Errno.ENOMEM}) {
            assertEquals(false, StoreFailures.onlyThisFile(io(new NativeIoException("pwrite", errno))),
                    Errno.name(errno));
        }
        assertEquals(true, StoreFailures.onlyThisFile(io(new NoSuchFileException("f"))), "portable: missing parent");
        assertEquals(true, StoreFailures.onlyThisFile(io(new AccessDeniedException("f"))), "portable: no permission");
        assertEquals(false, StoreFailures.onlyThisFile(io(new IOException("No space left on device"))),
                "portable: anything else ends the transfer");
        assertEquals(false, StoreFailures.onlyThisFile(new DwcpException(ErrorCode.IO, "no cause")));
        assertEquals(true, StoreFailures.onlyThisFile(new DwcpException(ErrorCode.PATH, "reason=symlink-in-path")));
        assertEquals(false, StoreFailures.onlyThisFile(DwcpException.protocol("frame=data reason=duplicate-block")));
        assertEquals(false, StoreFailures.onlyThisFile(new DwcpException(ErrorCode.VERIFY, "reason=digest-mismatch")));
    }
}
