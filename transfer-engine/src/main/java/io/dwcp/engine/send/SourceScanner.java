package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.RelativePaths;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the SRC arguments into a {@link Manifest}. A directory argument is sent as a directory of the same
 * name; with a trailing slash ({@code dir/}) its contents are sent instead, as with rsync.
 *
 * <p>Symlink policy: a link named on the command line is followed. Inside a tree, a link is sent as a link
 * only when its target is relative, of the form {@code ../../name}, and stays inside the transferred tree
 * ({@link RelativePaths#checkLinkTarget}); any other link is skipped with a warning and its target is never
 * read. Sockets, FIFOs and devices are skipped, and so is a name that is not text in the file-name charset
 * (bytes that are not UTF-8): it would arrive under another name.
 */
public final class SourceScanner {
    private final int maxPathBytes;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Path> sources = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();

    public SourceScanner(int maxPathBytes) {
        this.maxPathBytes = maxPathBytes;
    }

    public Manifest scan(List<String> args) throws IOException {
        for (String arg : args) {
            Path p = Path.of(arg);
            if (!Files.exists(p)) {
                throw new DwcpException(ErrorCode.PATH, "source=\"" + arg + "\" reason=not-found");
            }
            if (Files.isDirectory(p)) {
                boolean contents = arg.endsWith("/") || arg.endsWith("/.");
                walk(p.toRealPath(), contents ? "" : name(p));
            } else if (Files.isRegularFile(p)) {
                String name = name(p);
                if (accept(name, p.toRealPath())) {
                    addFile(p, name, Files.readAttributes(p, BasicFileAttributes.class));
                }
            } else {
                throw new DwcpException(ErrorCode.PATH, "source=\"" + arg + "\" reason=not-a-file-or-directory");
            }
        }
        return new Manifest(List.copyOf(entries), sources, skipped);
    }

    private static String name(Path p) throws IOException {
        Path n = p.toRealPath().getFileName();
        if (n == null) {
            throw new DwcpException(ErrorCode.PATH, "source=\"" + p + "\" reason=root-directory-needs-trailing-slash");
        }
        return n.toString();
    }

    private void walk(Path dir, String base) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                String rel = relative(dir, d, base);
                if (rel.isEmpty()) {
                    return FileVisitResult.CONTINUE;
                }
                if (!accept(rel, d)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                add(Entry.dir(rel, mode(d), a.lastModifiedTime().toMillis()), null);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                String rel = relative(dir, f, base);
                if (a.isSymbolicLink()) {
                    addLink(f, rel, dir.relativize(f).toString(), a);
                } else if (a.isRegularFile()) {
                    if (accept(rel, f)) {
                        addFile(f, rel, a);
                    }
                } else {
                    skipped.add("path=\"" + f + "\" reason=not-a-regular-file");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                skipped.add("path=\"" + f + "\" reason=unreadable detail=" + e.getMessage());
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String relative(Path root, Path p, String base) {
        String rel = root.relativize(p).toString();
        if (base.isEmpty()) {
            return rel;
        }
        return rel.isEmpty() ? base : base + "/" + rel;
    }

    private boolean accept(String rel, Path local) {
        if (!representable(local)) {
            skipped.add("path=\"" + local + "\" reason=name-not-representable charset="
                    + System.getProperty("sun.jnu.encoding"));
            return false;
        }
        try {
            RelativePaths.check(rel, maxPathBytes);
            return true;
        } catch (DwcpException e) {
            skipped.add("path=\"" + local + "\" " + e.getMessage());
            return false;
        }
    }

    /**
     * False for a name whose bytes are not text in the JVM's file-name charset (UTF-8 under the launcher): it
     * reads as U+FFFD, and sending that string would create a differently named file.
     */
    private static boolean representable(Path local) {
        String s = local.toString();
        return s.indexOf('\uFFFD') < 0 || local.getFileSystem().getPath(s).equals(local);
    }

    /**
     * @param rel      the link's path in the offer
     * @param inTree   its path below the directory being walked: the tree a link must stay inside
     */
    private void addLink(Path f, String rel, String inTree, BasicFileAttributes a) throws IOException {
        if (!accept(rel, f)) {
            return;
        }
        String target = Files.readSymbolicLink(f).toString();
        try {
            RelativePaths.checkLinkTarget(inTree, target, maxPathBytes);
        } catch (DwcpException e) {
            skipped.add("symlink=\"" + f + "\" " + e.getMessage());
            return;
        }
        add(Entry.symlink(rel, target, a.lastModifiedTime().toMillis()), null);
    }

    private void addFile(Path f, String rel, BasicFileAttributes a) throws IOException {
        add(Entry.file(rel, a.size(), mode(f), a.lastModifiedTime().toMillis()), f);
    }

    private void add(Entry e, Path local) throws DwcpException {
        if (!seen.add(e.path())) {
            throw new DwcpException(ErrorCode.PATH, "path=\"" + e.path() + "\" reason=named-twice");
        }
        entries.add(e);
        sources.add(local);
    }

    static int mode(Path p) throws IOException {
        int m = 0;
        for (PosixFilePermission perm : Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)) {
            m |= switch (perm) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return m;
    }
}
