package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.FdHolder;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.FileSystemFlush;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * {@link FileSystemFlush} on a directory fd opened for reading (an {@code O_PATH} fd cannot be synced):
 * {@code syncfs(fd)}. The fd samples the file system's writeback error state when it is opened, so keeping it
 * open is what makes a later flush report an error that hit in between.
 */
final class NativeFileSystemFlush implements FileSystemFlush {
    private final FdHolder holder;
    private final String shown;

    NativeFileSystemFlush(int fd, String shown) {
        this.holder = new FdHolder(fd);
        this.shown = shown;
    }

    @Override
    public void flush() throws IOException {
        if (!holder.enter()) {
            throw new ClosedChannelException();
        }
        try {
            int rc;
            do {
                rc = LinuxFiles.syncfs(holder.fd());
            } while (rc == -Errno.EINTR);
            if (rc < 0) {
                throw new NativeIoException("syncfs", -rc, "root=\"" + shown.replace('"', '\'') + "\"");
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public void close() {
        holder.close();
    }
}
