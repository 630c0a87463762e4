package io.dwcp.zerocopy.portable;

import io.dwcp.core.manifest.Xattr;
import io.dwcp.zerocopy.ConfinedPaths;
import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.ConfinedRoot;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.ExtendedAttributes;
import io.dwcp.zerocopy.FileStat;
import io.dwcp.zerocopy.FileSystemFlush;
import io.dwcp.zerocopy.PathRefusedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@link ConfinedRoot} with java.nio only, for systems without the native path. Best effort: each component
 * is checked not to be a symlink and the last one is opened with {@code NOFOLLOW_LINKS}, but between the
 * check and the use another process can swap a directory for a symlink (the race openat2 closes). Use it
 * where no untrusted local user can write inside the root.
 */
public final class PortableConfinedRoot implements ConfinedRoot {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path root;

    private PortableConfinedRoot(Path root) {
        this.root = root;
    }

    public static PortableConfinedRoot open(Path root) throws IOException {
        Path real = root.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new IOException("root=\"" + root + "\" reason=not-a-directory");
        }
        return new PortableConfinedRoot(real);
    }

    /** Resolves {@code path}, refusing symlinked or non-directory parents (checked, not atomic). */
    private Path resolve(String path) throws IOException {
        String[] parts = ConfinedPaths.split(path);
        Path p = root;
        for (int i = 0; i < parts.length - 1; i++) {
            p = p.resolve(parts[i]);
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
            if (a.isSymbolicLink()) {
                throw new PathRefusedException(path, PathRefusedException.Reason.SYMLINK_IN_PATH);
            }
            if (!a.isDirectory()) {
                throw new PathRefusedException(path, PathRefusedException.Reason.NOT_A_DIRECTORY);
            }
        }
        Path leaf = p.resolve(parts[parts.length - 1]);
        if (!leaf.normalize().startsWith(root)) {
            throw new PathRefusedException(path, PathRefusedException.Reason.ESCAPES_ROOT);
        }
        return leaf;
    }

    private ChannelFile open(String path, Set<OpenOption> options, int mode) throws IOException {
        Path p = resolve(path);
        // As the native root refuses them (it opens O_NONBLOCK, then checks): a FIFO planted where a file is expected
        // would block this open, and a directory or device is not a file to read or write. Checked before the open
        // here, the JDK having no fstat of a channel; the portable path resolves every call anyway.
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                && !Files.isSymbolicLink(p)) {
            throw new java.nio.file.FileSystemException(path, null, "reason=not-a-regular-file");
        }
        options.add(LinkOption.NOFOLLOW_LINKS);
        FileChannel ch;
        try {
            ch = options.contains(StandardOpenOption.CREATE) || options.contains(StandardOpenOption.CREATE_NEW)
                    ? FileChannel.open(p, options, PosixFilePermissions.asFileAttribute(ChannelFile.PortableStat.permissions(mode)))
                    : FileChannel.open(p, options);
        } catch (IOException e) {
            // NOFOLLOW_LINKS on a symlink fails with ELOOP, which the JDK reports as a plain IOException
            if (Files.isSymbolicLink(p)) {
                throw new PathRefusedException(path, PathRefusedException.Reason.SYMLINK_IN_PATH);
            }
            throw e;
        }
        return new ChannelFile(ch, p);
    }

    @Override
    public DataFile openRead(String path) throws IOException {
        return open(path, new HashSet<>(Set.of(StandardOpenOption.READ)), 0);
    }

    @Override
    public DataFile openWrite(String path, int mode, boolean exclusive) throws IOException {
        return open(path, new HashSet<>(Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                exclusive ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE)), mode);
    }

    @Override
    public boolean mkdir(String path, int mode) throws IOException {
        Path p = resolve(path);
        if (Files.isDirectory(p, NOFOLLOW)) {
            return false;
        }
        Files.createDirectory(p, PosixFilePermissions.asFileAttribute(ChannelFile.PortableStat.permissions(mode)));
        return true;
    }

    @Override
    public void rename(String from, String to) throws IOException {
        Files.move(resolve(from), resolve(to), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void unlink(String path) throws IOException {
        Path p = resolve(path);
        if (Files.isDirectory(p, NOFOLLOW)) {
            throw new IOException("op=unlink path=\"" + path + "\" reason=is-a-directory");
        }
        Files.delete(p);
    }

    @Override
    public void rmdir(String path) throws IOException {
        Path p = resolve(path);
        if (!Files.isDirectory(p, NOFOLLOW)) {
            throw new IOException("op=rmdir path=\"" + path + "\" reason=not-a-directory");
        }
        Files.delete(p);
    }

    @Override
    public Optional<FileStat> stat(String path) throws IOException {
        Path p = resolve(path);
        if (!Files.exists(p, NOFOLLOW)) {
            return Optional.empty();
        }
        return Optional.of(ChannelFile.PortableStat.of(p));
    }

    @Override
    public void symlink(String target, String path) throws IOException {
        Files.createSymbolicLink(resolve(path), Path.of(target));
    }

    @Override
    public String readlink(String path) throws IOException {
        return Files.readSymbolicLink(resolve(path)).toString();
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        Path p = resolve(path);
        if (Files.isSymbolicLink(p)) {
            throw new PathRefusedException(path, PathRefusedException.Reason.SYMLINK_IN_PATH);
        }
        Files.setPosixFilePermissions(p, ChannelFile.PortableStat.permissions(mode));
    }

    @Override
    public void setTimes(String path, long atimeNanos, long mtimeNanos) throws IOException {
        Files.getFileAttributeView(resolve(path), BasicFileAttributeView.class, NOFOLLOW)
                .setTimes(FileTime.from(mtimeNanos, TimeUnit.NANOSECONDS), FileTime.from(atimeNanos, TimeUnit.NANOSECONDS), null);
    }

    @Override
    public ConfinedDirectory openDirectory(String dir) throws IOException {
        directory(dir);
        String prefix = dir.isEmpty() ? "" : dir + "/";
        return new ConfinedDirectory() {
            /** {@code .} is the directory itself (a sender offers DEST's own metadata from it), else a name in it. */
            private Path at(String name) throws IOException {
                return name.equals(".") ? directory(dir) : resolve(prefix + name);
            }

            @Override
            public Optional<FileStat> stat(String name) throws IOException {
                Path p = at(name);
                return Files.exists(p, NOFOLLOW) ? Optional.of(ChannelFile.PortableStat.of(p)) : Optional.empty();
            }

            @Override
            public String readlink(String name) throws IOException {
                return PortableConfinedRoot.this.readlink(prefix + name);
            }

            @Override
            public ConfinedDirectory openDirectory(String name) throws IOException {
                return PortableConfinedRoot.this.openDirectory(prefix + name);
            }

            /** {@code name} below this directory: one component, not {@code .} or {@code ..}. */
            private String entry(String name) throws IOException {
                if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) {
                    throw new java.nio.file.FileSystemException(prefix + name, null, "reason=not-a-name");
                }
                return prefix + name;
            }

            @Override
            public DataFile openRead(String name) throws IOException {
                return PortableConfinedRoot.this.openRead(entry(name)); // nothing held: resolved per call
            }

            @Override
            public void rename(String from, String to) throws IOException {
                PortableConfinedRoot.this.rename(entry(from), entry(to)); // nothing held: resolved per call
            }

            @Override
            public List<Xattr> xattrs(String name, Predicate<String> wanted) throws IOException {
                return new PortableXattrs(at(name)).read(wanted);
            }

            @Override
            public void list(Consumer<String> names, Consumer<String> malformed) throws IOException {
                // The JDK decodes names in the JVM's file-name charset; a name it cannot decode reads back as a
                // different path.
                Path p = dir.isEmpty() ? root : resolve(dir);
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
                    for (Path e : entries) {
                        String n = e.getFileName().toString();
                        (n.indexOf('\uFFFD') >= 0 && !e.getFileSystem().getPath(e.toString()).equals(e) ? malformed
                                : names).accept(n);
                    }
                } catch (DirectoryIteratorException e) {
                    throw e.getCause();
                }
            }

            @Override
            public void close() {
                // nothing held: every look-up resolves its path
            }
        };
    }

    @Override
    public void list(String dir, Consumer<String> names) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory(dir))) {
            for (Path e : entries) {
                names.accept(e.getFileName().toString());
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
    }

    @Override
    public void chown(String path, int uid, int gid) throws IOException {
        Path p = resolve(path);
        if (!p.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            throw new IOException("op=chown path=\"" + path + "\" reason=unsupported-on-portable-path");
        }
        // the JDK's unix view uses lchown under NOFOLLOW_LINKS, and sets one id a call
        if (uid != -1) {
            Files.setAttribute(p, "unix:uid", uid, NOFOLLOW);
        }
        if (gid != -1) {
            Files.setAttribute(p, "unix:gid", gid, NOFOLLOW);
        }
    }

    @Override
    public void link(String existing, String newPath) throws IOException {
        // link(2), which on Linux never follows a symlink at existing
        Files.createLink(resolve(newPath), resolve(existing));
    }

    @Override
    public void mknod(String path, int mode, long device) throws IOException {
        // the JDK cannot make special files, and running mkfifo/mknod as a process is not an option here
        throw new IOException("op=mknod reason=unsupported-on-portable-path path=\"" + path + "\"");
    }

    @Override
    public <T> T withXattrs(String path, ExtendedAttributes.Use<T> use) throws IOException {
        return use.apply(new PortableXattrs(resolve(path)));
    }

    @Override
    public void syncParent(String path) throws IOException {
        try (FileChannel dir = FileChannel.open(resolve(path).getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** The JDK has no {@code syncfs}: files are forced one by one. */
    @Override
    public FileSystemFlush openFileSystemFlush() {
        return null;
    }

    @Override
    public void syncDirectory(String relativeDir) throws IOException {
        Path p = directory(relativeDir);
        // fsync of a directory opened for reading: the JDK allows it on Linux
        try (FileChannel dir = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            dir.force(true);
        }
    }

    /** Directory {@code dir} ("" is the root), refused when it is a symlink or not a directory (checked, racy). */
    private Path directory(String dir) throws IOException {
        if (dir.isEmpty()) {
            return root;
        }
        Path p = resolve(dir);
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        if (a.isSymbolicLink()) {
            throw new PathRefusedException(dir, PathRefusedException.Reason.SYMLINK_IN_PATH);
        }
        if (!a.isDirectory()) {
            throw new PathRefusedException(dir, PathRefusedException.Reason.NOT_A_DIRECTORY);
        }
        return p;
    }

    @Override
    public String describe() {
        return "confine=portable root=" + root;
    }

    @Override
    public void close() {
        // nothing held open
    }
}
