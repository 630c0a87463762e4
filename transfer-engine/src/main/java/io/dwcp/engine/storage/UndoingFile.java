package io.dwcp.engine.storage;

import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.FileStat;
import io.dwcp.zerocopy.MappedRegion;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A file changed in place ({@code send --inplace}) as the receive path sees it: reads go to the file, every write
 * goes through its {@link UndoLog} first. It has no fd of its own to offer ({@link #fd()} is -1), so a data stream
 * writes through it rather than splicing past the log; mapping it is refused for the same reason. Closing it leaves
 * the file and the log to their owner.
 */
final class UndoingFile implements DataFile {
    private final DataFile target;
    private final UndoLog undo;

    UndoingFile(DataFile target, UndoLog undo) {
        this.target = target;
        this.undo = undo;
    }

    DataFile target() {
        return target;
    }

    /** Reads the file; new bytes still waiting for the log's flush are written first, so a read sees every write. */
    @Override
    public int read(MemorySegment dst, long off, int len, long position) throws IOException {
        undo.flushPending();
        return target.read(dst, off, len, position);
    }

    @Override
    public int write(MemorySegment src, long off, int len, long position) throws IOException {
        undo.write(src, off, len, position);
        return len;
    }

    @Override
    public void writeFully(MemorySegment src, long off, long len, long position) throws IOException {
        undo.write(src, off, len, position);
    }

    @Override
    public long size() throws IOException {
        undo.flushPending();
        return target.size();
    }

    @Override
    public void willNeed(long position, long length) throws IOException {
        target.willNeed(position, length);
    }

    @Override
    public void truncate(long size) throws IOException {
        undo.flushPending();
        if (size < target.size()) {
            throw new IOException("reason=in-place-shrink-refused size=" + size); // the log keeps no cut-off tail
        }
        target.truncate(size);
    }

    @Override
    public boolean reserve(long position, long length, boolean keepSize) throws IOException {
        return target.reserve(position, length, keepSize);
    }

    @Override
    public void force(boolean metadata) throws IOException {
        undo.flushPending();
        target.force(metadata);
    }

    @Override
    public FileStat stat() throws IOException {
        return target.stat();
    }

    @Override
    public void chmod(int mode) throws IOException {
        target.chmod(mode);
    }

    @Override
    public void chown(int uid, int gid) throws IOException {
        target.chown(uid, gid);
    }

    @Override
    public void setTimes(long atimeNanos, long mtimeNanos) throws IOException {
        target.setTimes(atimeNanos, mtimeNanos);
    }

    /** Attributes are metadata, not bytes: the undo log does not keep them, as it keeps no mode or mtime. */
    @Override
    public <T> T withXattrs(io.dwcp.zerocopy.ExtendedAttributes.Use<T> use) throws IOException {
        return target.withXattrs(use);
    }

    @Override
    public MappedRegion map(long position, long length, boolean writable) throws IOException {
        throw new IOException("reason=in-place-file-not-mapped");
    }

    @Override
    public CopyKind copyFrom(DataFile source, long length) throws IOException {
        throw new IOException("reason=in-place-file-not-copied");
    }

    @Override
    public boolean cloneFrom(DataFile source, long length) {
        return false;
    }

    @Override
    public CopyKind copyRange(DataFile source, long position, long length) throws IOException {
        throw new IOException("reason=in-place-file-not-copied");
    }

    @Override
    public int fd() {
        return -1;
    }

    @Override
    public void close() {
        // the owner closes the target and the log
    }
}
