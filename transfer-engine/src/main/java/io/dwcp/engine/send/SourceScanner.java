package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.FilterRules;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.manifest.RelativePaths;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads the SRC arguments into entries, a batch at a time, as rsync's incremental recursion does: the walk stops
 * when a batch is full and goes on when the next is asked for, so the tree is never held whole and data flows
 * while it is still being read. A directory argument is sent as a directory of the same name; with a trailing
 * slash ({@code dir/}) its contents are, as with rsync. A link named on the command line is followed.
 *
 * <p>Order: a directory's children are offered together, sorted by name, subdirectories included, and the walk
 * then descends into the subdirectories one by one; with {@code --delete} a LISTED entry follows the last child
 * of every directory that was read completely. Inside the tree, symlinks are offered verbatim whatever they point
 * at (with {@code --safe-links}, links that could lead out of the tree are left out), a file with more than one
 * name is offered once and its other names as HARDLINK entries, FIFOs and devices as SPECIAL entries. Sockets, and
 * names that are not text in the file-name charset, are left out and listed in {@link #skipped()}.
 */
public final class SourceScanner implements EntrySource {
    /** What to offer: limits on paths, the filter rules, and the options that change the walk. */
    public record Options(int maxPathBytes, FilterRules filters, boolean safeLinks, boolean delete) {
        public Options(int maxPathBytes) {
            this(maxPathBytes, FilterRules.NONE, false, false);
        }
    }

    private static final String ATTRIBUTES = "unix:mode,ino,dev,nlink,uid,gid,rdev,size,lastModifiedTime";
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFSOCK = 0140000;

    /** A directory whose children are being offered. */
    private static final class Listing {
        final Path dir;
        final String rel;
        final String[] names;
        int next;
        boolean complete = true;
        final List<Pending> subdirs = new ArrayList<>();

        Listing(Path dir, String rel, String[] names) {
            this.dir = dir;
            this.rel = rel;
            this.names = names;
        }
    }

    /** A directory waiting to be listed. */
    private record Pending(Path dir, String rel) {
    }

    private final Options options;
    private final List<String> args;
    private final List<String> skipped = new ArrayList<>();
    private final Deque<Pending> pending = new ArrayDeque<>();
    /** First offered name of each file with more than one link, by (device, inode). */
    private final Map<FileKey, String> firstNames = new HashMap<>();
    private int nextArg;
    private Listing current;
    private List<Entry> entries;
    private List<Path> sources;
    private long bytes;

    private record FileKey(long device, long inode) {
    }

    public SourceScanner(Options options, List<String> args) {
        this.options = options;
        this.args = List.copyOf(args);
    }

    /** Checks every argument exists before anything is sent: a typo is a usage error, not a partial transfer. */
    public SourceScanner check() throws DwcpException {
        for (String arg : args) {
            Path p = Path.of(arg);
            if (!Files.exists(p)) {
                throw new DwcpException(ErrorCode.PATH, "source=\"" + arg + "\" reason=not-found");
            }
            if (!Files.isDirectory(p) && !Files.isRegularFile(p)) {
                throw new DwcpException(ErrorCode.PATH, "source=\"" + arg + "\" reason=not-a-file-or-directory");
            }
            if (Files.isDirectory(p) && !contents(arg) && name(p) == null) {
                throw new DwcpException(ErrorCode.PATH, "source=\"" + arg + "\" reason=root-directory-needs-trailing-slash");
            }
        }
        return this;
    }

    @Override
    public List<String> skipped() {
        return skipped;
    }

    @Override
    public Batch next(int maxEntries, long maxBytes) throws IOException {
        entries = new ArrayList<>();
        sources = new ArrayList<>();
        bytes = 0;
        while (entries.size() < maxEntries && bytes < maxBytes) {
            if (current != null && current.next < current.names.length) {
                visit(current, current.names[current.next++]);
            } else if (current != null) {
                finishListing(current);
                current = null;
            } else if (!pending.isEmpty()) {
                Pending p = pending.pop();
                current = list(p.dir(), p.rel());
            } else if (nextArg < args.size()) {
                startArgument(args.get(nextArg++));
            } else {
                break;
            }
        }
        return entries.isEmpty() ? null : new Batch(entries, sources);
    }

    private static boolean contents(String arg) {
        return arg.endsWith("/") || arg.endsWith("/.");
    }

    private static String name(Path p) {
        try {
            Path n = p.toRealPath().getFileName();
            return n == null ? null : n.toString();
        } catch (IOException e) {
            return null;
        }
    }

    private void startArgument(String arg) throws IOException {
        Path p = Path.of(arg).toRealPath();
        if (Files.isDirectory(p)) {
            if (contents(arg)) {
                // DEST itself takes the directory's metadata, as with rsync: an entry with the empty path.
                offer(p, "", Files.readAttributes(p, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS), null);
                current = list(p, "");
                return;
            }
            String rel = name(p);
            if (accept(rel, p)) {
                offer(p, rel, Files.readAttributes(p, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS), null);
                pending.push(new Pending(p, rel));
            }
        } else {
            String rel = name(p);
            if (accept(rel, p)) {
                offer(p, rel, Files.readAttributes(p, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS), null);
            }
        }
    }

    /** Reads a directory's names, sorted; an unreadable directory is reported and offers nothing. */
    private Listing list(Path dir, String rel) {
        List<String> names = new ArrayList<>();
        boolean complete = true;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                // Checked on the path as listed: its name as a String no longer says which bytes it had.
                if (representable(p)) {
                    names.add(p.getFileName().toString());
                } else {
                    unrepresentable(p);
                    complete = false;
                }
            }
        } catch (IOException | RuntimeException e) {
            skipped.add("path=\"" + dir + "\" reason=unreadable-directory detail=\"" + e.getMessage() + "\"");
            Listing broken = new Listing(dir, rel, new String[0]);
            broken.complete = false; // what it holds is unknown: nothing may be deleted there
            return broken;
        }
        String[] sorted = names.toArray(new String[0]);
        java.util.Arrays.sort(sorted);
        Listing l = new Listing(dir, rel, sorted);
        l.complete = complete;
        return l;
    }

    private void finishListing(Listing l) {
        if (options.delete() && l.complete) {
            add(new Entry(EntryKind.LISTED, l.rel, 0, 0, 0, "", Entry.NO_ID, Entry.NO_ID, 0), null);
        }
        for (int i = l.subdirs.size() - 1; i >= 0; i--) {
            pending.push(l.subdirs.get(i));
        }
    }

    private void visit(Listing l, String name) {
        Path p = l.dir.resolve(name);
        String rel = l.rel.isEmpty() ? name : l.rel + "/" + name;
        if (!accept(rel, p)) {
            l.complete = false; // the receiver may hold the name: keep it
            return;
        }
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            skipped.add("path=\"" + p + "\" reason=vanished-or-unreadable detail=\"" + e.getMessage() + "\"");
            l.complete = false;
            return;
        }
        boolean dir = ((int) a.get("mode") & S_IFMT) == S_IFDIR;
        if (options.filters().excluded(rel, dir)) {
            return; // and, for a directory, its whole subtree
        }
        if (offer(p, rel, a, l) && dir) {
            l.subdirs.add(new Pending(p, rel));
        }
    }

    /** Offers one entry; returns false when it was left out. */
    private boolean offer(Path p, String rel, Map<String, Object> a, Listing parent) {
        int mode = (int) a.get("mode");
        long mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
        int uid = (int) a.get("uid");
        int gid = (int) a.get("gid");
        Entry e;
        Path source = null;
        switch (mode & S_IFMT) {
            case S_IFDIR -> e = new Entry(EntryKind.DIR, rel, 0, mode & 07777, mtime, "", uid, gid, 0);
            case S_IFREG -> {
                long size = (long) a.get("size");
                String first = null;
                if ((int) a.get("nlink") > 1) {
                    first = firstNames.putIfAbsent(new FileKey((long) a.get("dev"), (long) a.get("ino")), rel);
                }
                if (first != null) {
                    e = Entry.hardLink(rel, first);
                } else {
                    e = new Entry(EntryKind.FILE, rel, size, mode & 07777, mtime, "", uid, gid, 0);
                    source = p;
                    bytes += size;
                }
            }
            case S_IFLNK -> {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e2) {
                    skipped.add("symlink=\"" + p + "\" reason=unreadable detail=\"" + e2.getMessage() + "\"");
                    return false;
                }
                if (options.safeLinks() && RelativePaths.leavesTree(rel, target)) {
                    skipped.add("symlink=\"" + p + "\" reason=unsafe-link target=\"" + target + "\"");
                    return false;
                }
                e = new Entry(EntryKind.SYMLINK, rel, 0, 0777, mtime, target, uid, gid, 0);
            }
            case S_IFSOCK -> {
                skipped.add("path=\"" + p + "\" reason=socket");
                return false;
            }
            default -> e = new Entry(EntryKind.SPECIAL, rel, 0, mode & (S_IFMT | 07777), mtime, "", uid, gid,
                    (long) a.get("rdev"));
        }
        add(e, source);
        return true;
    }

    private void add(Entry e, Path source) {
        entries.add(e);
        sources.add(source);
    }

    private boolean accept(String rel, Path local) {
        if (!representable(local)) {
            unrepresentable(local);
            return false;
        }
        try {
            RelativePaths.check(rel, options.maxPathBytes());
            return true;
        } catch (DwcpException e) {
            skipped.add("path=\"" + local + "\" " + e.getMessage());
            return false;
        }
    }

    private void unrepresentable(Path local) {
        skipped.add("path=\"" + local + "\" reason=name-not-representable charset="
                + System.getProperty("sun.jnu.encoding"));
    }

    /**
     * False for a name whose bytes are not text in the JVM's file-name charset (UTF-8 under the launcher): it
     * reads as U+FFFD, and sending that string would create a differently named file.
     */
    private static boolean representable(Path local) {
        String s = local.toString();
        return s.indexOf('\uFFFD') < 0 || local.getFileSystem().getPath(s).equals(local);
    }
}
