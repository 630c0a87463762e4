package io.dwcp.zerocopy.portable;

import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.ExtendedAttributes;
import io.dwcp.zerocopy.FileStat;
import io.dwcp.zerocopy.MappedRegion;
import io.dwcp.zerocopy.UserCopy;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The portable {@link DataFile}: a {@code FileChannel} plus its path for metadata. No fd, no fallocate. */
public final class ChannelFile implements DataFile {
    private final FileChannel channel;
    private final Path path;
    private final BufferView readView = new BufferView();
    private final BufferView writeView = new BufferView();

    public ChannelFile(FileChannel channel, Path path) {
        this.channel = channel;
        this.path = path;
    }

    public static ChannelFile open(Path path, boolean write, boolean create) throws IOException {
        Set<OpenOption> options = new HashSet<>();
        options.add(StandardOpenOption.READ);
        if (write) {
            options.add(StandardOpenOption.WRITE);
        }
        if (create) {
            options.add(StandardOpenOption.CREATE);
        }
        return new ChannelFile(FileChannel.open(path, options), path);
    }

    /**
     * As {@code NativeFile.openSource}: a regular file or a refusal. The JDK has no O_NONBLOCK and no fstat of a
     * channel, so the type is checked before the open (a FIFO swapped in between could still block here).
     */
    public static ChannelFile openSource(Path path) throws IOException {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new java.nio.file.FileSystemException(path.toString(), null, "reason=not-a-regular-file");
        }
        return new ChannelFile(FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS), path);
    }

    /** The channel, for {@code transferTo} on the portable send path. */
    public FileChannel channel() {
        return channel;
    }

    @Override
    public int read(MemorySegment dst, long off, int len, long position) throws IOException {
        synchronized (readView) {
            return len == 0 ? 0 : channel.read(readView.of(dst, off, len), position);
        }
    }

    @Override
    public int write(MemorySegment src, long off, int len, long position) throws IOException {
        synchronized (writeView) {
            return channel.write(writeView.of(src, off, len), position);
        }
    }

    @Override
    public void writeFully(MemorySegment src, long off, long len, long position) throws IOException {
        long done = 0;
        while (done < len) {
            done += write(src, off + done, (int) Math.min(len - done, 1 << 30), position + done);
        }
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public void truncate(long size) throws IOException {
        long now = channel.size();
        if (size < now) {
            channel.truncate(size);
        } else if (size > now) {
            // FileChannel cannot extend; one byte at the new end does, leaving a hole before it
            channel.write(ByteBuffer.allocate(1), size - 1);
        }
    }

    @Override
    public void willNeed(long position, long length) {
        // the JDK has no read-ahead hint: the kernel's own read-ahead does what it does
    }

    @Override
    public boolean reserve(long position, long length, boolean keepSize) {
        return false;
    }

    @Override
    public void force(boolean metadata) throws IOException {
        channel.force(metadata);
    }

    @Override
    public FileStat stat() throws IOException {
        return PortableStat.of(path);
    }

    @Override
    public void chmod(int mode) throws IOException {
        Files.setPosixFilePermissions(path, PortableStat.permissions(mode));
    }

    /** By path: the JDK has no attribute calls on an open channel. */
    @Override
    public <T> T withXattrs(ExtendedAttributes.Use<T> use) throws IOException {
        return use.apply(new PortableXattrs(path));
    }

    @Override
    public void chown(int uid, int gid) throws IOException {
        if (uid != -1) {
            Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        }
        if (gid != -1) {
            Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        }
    }

    @Override
    public void setTimes(long atimeNanos, long mtimeNanos) throws IOException {
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(mtimeNanos, TimeUnit.NANOSECONDS), FileTime.from(atimeNanos, TimeUnit.NANOSECONDS), null);
    }

    @Override
    public MappedRegion map(long position, long length, boolean writable) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment s = channel.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY,
                    position, length, arena);
            return new MappedRegion() {
                @Override
                public MemorySegment segment() {
                    return s;
                }

                @Override
                public void advise(Advice advice) {
                    if (advice == Advice.WILL_NEED) {
                        s.load();
                    }
                }

                @Override
                public synchronized void close() {
                    if (arena.scope().isAlive()) {
                        arena.close();
                    }
                }
            };
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * {@code transferTo} from another channel file (the JDK tries {@code copy_file_range}, then {@code sendfile},
     * then its own loop, without saying which worked: hence {@code USER_COPY}, the claim that is always true);
     * the user loop from any other file.
     */
    @Override
    public boolean cloneFrom(DataFile source, long length) {
        return false; // the JDK has no reflink call
    }

    @Override
    public CopyKind copyRange(DataFile source, long position, long length) throws IOException {
        if (length < 0 || position < 0 || source == this) {
            throw new IllegalArgumentException("op=copy reason=bad-range position=" + position + " length=" + length);
        }
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            io.dwcp.zerocopy.UserCopy.copy(source, this, position, position + length,
                    arena.allocate(Math.max(1, Math.min(io.dwcp.zerocopy.UserCopy.BUFFER, length))));
        }
        return CopyKind.USER_COPY;
    }

    @Override
    public CopyKind copyFrom(DataFile source, long length) throws IOException {
        if (length < 0 || source == this) {
            throw new IllegalArgumentException("op=copy reason=" + (length < 0 ? "negative-length" : "self-copy"));
        }
        if (!(source instanceof ChannelFile from)) {
            UserCopy.copy(source, this, length);
            return CopyKind.USER_COPY;
        }
        long n = Math.min(length, from.channel.size());
        // transferTo writes at the target's own position; nothing else here uses it (all I/O is positional)
        channel.position(0);
        long at = 0;
        while (at < n) {
            long k = from.channel.transferTo(at, n - at, channel);
            if (k <= 0) {
                break; // the source ended early
            }
            at += k;
        }
        return CopyKind.USER_COPY;
    }

    @Override
    public int fd() {
        return -1;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Kept apart so the attribute-map plumbing does not clutter the file class. */
    static final class PortableStat {
        private PortableStat() {
        }

        static FileStat of(Path p) throws IOException {
            if (p.getFileSystem().supportedFileAttributeViews().contains("unix")) {
                Map<String, Object> a = Files.readAttributes(p,
                        "unix:mode,size,lastAccessTime,lastModifiedTime,ctime,uid,gid,nlink,ino,dev,rdev",
                        LinkOption.NOFOLLOW_LINKS);
                // the JDK does not expose st_blocks: allocated is reported as the size
                long size = (Long) a.get("size");
                return new FileStat((Integer) a.get("mode"), size, size, nanos(a.get("lastAccessTime")),
                        nanos(a.get("lastModifiedTime")), nanos(a.get("ctime")), (Integer) a.get("uid"),
                        (Integer) a.get("gid"), (Integer) a.get("nlink"), (Long) a.get("ino"), (Long) a.get("dev"),
                        (Long) a.get("rdev"));
            }
            BasicFileAttributes b = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int type = b.isDirectory() ? 0040000 : b.isSymbolicLink() ? 0120000 : 0100000;
            return new FileStat(type | 0644, b.size(), b.size(), nanos(b.lastAccessTime()), nanos(b.lastModifiedTime()),
                    nanos(b.lastModifiedTime()), -1, -1, 1, 0, 0, 0); // no change time here: the modification time
        }

        private static long nanos(Object t) {
            return ((FileTime) t).to(TimeUnit.NANOSECONDS);
        }

        static Set<PosixFilePermission> permissions(int mode) {
            Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
            PosixFilePermission[] order = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
            for (int i = 0; i < order.length; i++) {
                if ((mode & (1 << i)) != 0) {
                    s.add(order[i]);
                }
            }
            return s;
        }
    }
}
