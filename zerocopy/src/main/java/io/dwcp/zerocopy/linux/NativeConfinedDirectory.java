package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.core.manifest.Xattr;
import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.FileStat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A directory fd ({@code O_RDONLY|O_DIRECTORY}, opened without following links by {@link NativeConfinedRoot}) and the
 * {@code statx}/{@code readlinkat}/{@code getdents64}/{@code listxattrat} calls relative to it. One thread uses it at a time: the call
 * structures live in its own confined arena, reused for every name.
 */
final class NativeConfinedDirectory implements ConfinedDirectory {
    private static final int MAX_NAME = 255;
    private static final int LINK_BUFFER = 4096;

    private final int fd;
    private final String path;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment statx = arena.allocate(StatxLayout.SIZE, 8);
    private final MemorySegment name = arena.allocate(MAX_NAME + 1);
    private MemorySegment link;
    /** Attribute buffers, made when the first name with attributes is read and reused for the rest. */
    private final NativeXattrs.Scratch xattrs = new NativeXattrs.Scratch(arena);
    private boolean listed;

    private final boolean xattrAt;

    NativeConfinedDirectory(int fd, String path, boolean xattrAt) {
        this.fd = fd;
        this.path = path;
        this.xattrAt = xattrAt;
    }

    private MemorySegment name(String n) throws IOException {
        byte[] b = n.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_NAME || n.indexOf('/') >= 0 || b.length == 0) {
            throw new NativeIoException("statx", Errno.EINVAL, "name=\"" + n.replace('"', '\'') + "\" reason=not-a-name");
        }
        MemorySegment.copy(b, 0, name, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
        name.set(java.lang.foreign.ValueLayout.JAVA_BYTE, b.length, (byte) 0);
        return name;
    }

    @Override
    public Optional<FileStat> stat(String n) throws IOException {
        MemorySegment leaf = name(n);
        int rc;
        do {
            rc = LinuxFiles.statx(fd, leaf, Sys.AT_SYMLINK_NOFOLLOW, statx);
        } while (rc == -Errno.EINTR);
        if (rc == -Errno.ENOENT) {
            return Optional.empty();
        }
        if (rc < 0) {
            throw new NativeIoException("statx", -rc, "path=\"" + (path.isEmpty() ? n : path + "/" + n).replace('"', '\'') + "\"");
        }
        return Optional.of(StatxLayout.read(statx));
    }

    @Override
    public List<Xattr> xattrs(String n, Predicate<String> wanted) throws IOException {
        return NativeXattrs.onLeaf(fd, name(n), xattrAt, xattrs, "path=\"" + (path.isEmpty() ? n : path + "/" + n)
                .replace('"', '\'') + "\"", a -> a.read(wanted));
    }

    @Override
    public String readlink(String n) throws IOException {
        MemorySegment leaf = name(n);
        if (link == null) {
            link = arena.allocate(LINK_BUFFER);
        }
        long len = LinuxFiles.readlinkat(fd, leaf, link);
        if (len < 0) {
            throw new NativeIoException("readlinkat", (int) -len, "path=\"" + (path.isEmpty() ? n : path + "/" + n).replace('"', '\'') + "\"");
        }
        byte[] b = new byte[(int) len];
        MemorySegment.copy(link, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b, 0, b.length);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void list(Consumer<String> names, Consumer<String> malformed) throws IOException {
        if (listed) {
            // getdents64 reads on from the fd's offset: a second listing would see nothing
            throw new NativeIoException("getdents64", Errno.EINVAL, "path=\"" + path.replace('"', '\'') + "\" reason=listed-once");
        }
        listed = true;
        DirectoryReader.read(fd, path, names, malformed);
    }

    @Override
    public void close() {
        FdCalls.close(fd);
        arena.close();
    }
}
