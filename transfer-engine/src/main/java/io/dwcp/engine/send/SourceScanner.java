package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.Limits;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.FilterRules;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.core.manifest.XattrPolicy;
import io.dwcp.core.manifest.Xattrs;
import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.ConfinedRoot;
import io.dwcp.zerocopy.FileStat;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.engine.send.DirectoryLister.Held;
import io.dwcp.engine.send.DirectoryLister.Pending;
import io.dwcp.zerocopy.select.SourceRoots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the SRC arguments into entries, a batch at a time, as rsync's incremental recursion does: the walk stops
 * when a batch is full and goes on when the next is asked for, so the tree is never held whole and data flows
 * while it is still being read. A directory argument is sent as a directory of the same name; with a trailing
 * slash ({@code dir/}) its contents are, as with rsync. A link named on the command line is sent as the link; with
 * a trailing slash, what it leads to.
 *
 * <p>Order: a directory's children are offered together, sorted by name, subdirectories included, and the walk
 * then descends into the subdirectories one by one; with {@code --delete} a LISTED entry follows the last child
 * of every directory that was read completely. Inside the tree, symlinks are offered verbatim whatever they point
 * at (with {@code --safe-links}, links that could lead out of the tree are left out), a file with more than one
 * name is offered once and its other names as HARDLINK entries, FIFOs, sockets and devices as SPECIAL entries (as
 * rsync's {@code -D} keeps them). Names that are not text in the file-name charset are left out and listed in
 * {@link #skipped()}.
 */
public final class SourceScanner implements EntrySource {
    /**
     * What to offer: limits on paths, the filter rules, and the options that change the walk.
     *
     * @param xattrs read each entry's extended attributes ({@code --xattrs}): every namespace but {@code system.*}
     *               ({@link XattrPolicy#sendable}); an entry whose attributes cannot be read, or exceed
     *               {@link Limits#MAX_ENTRY_XATTR_BYTES}, is left out and listed in {@link #skipped()}
     */
    public record Options(int maxPathBytes, FilterRules filters, boolean safeLinks, boolean delete, SourceRoots io,
                          boolean xattrs) {
        public Options(int maxPathBytes) {
            this(maxPathBytes, FilterRules.NONE, false, false);
        }

        public Options(int maxPathBytes, FilterRules filters, boolean safeLinks, boolean delete) {
            this(maxPathBytes, filters, safeLinks, delete, SourceRoots.select(IoMode.AUTO));
        }

        public Options(int maxPathBytes, FilterRules filters, boolean safeLinks, boolean delete, SourceRoots io) {
            this(maxPathBytes, filters, safeLinks, delete, io, false);
        }
    }

    /**
     * A batch ends once its attributes reach this, so that one more entry (at most
     * {@link Limits#MAX_ENTRY_XATTR_BYTES}) keeps it within {@link Limits#MAX_BATCH_XATTR_BYTES}.
     */
    static final long BATCH_XATTR_BYTES = Limits.MAX_BATCH_XATTR_BYTES - Limits.MAX_ENTRY_XATTR_BYTES;

    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;

    /** A directory read by the lister whose names are being offered, one at a time. */
    private static final class Listing {
        final DirectoryLister.Listing read;
        final Pending where;
        final Held dir;
        final String[] names;
        int next;
        boolean complete;
        /** What {@link #offer} found the last name to be: a directory to descend into. */
        boolean lastWasDirectory;
        final List<Pending> subdirs = new ArrayList<>();

        Listing(DirectoryLister.Listing read) {
            this.read = read;
            this.where = read.where();
            this.dir = read.dir();
            this.names = read.names();
            this.complete = read.complete();
        }
    }

    private final Options options;
    private final List<String> args;
    private final List<String> skipped = new ArrayList<>();
    /** Reads the directories of the walk on worker threads; started with the first directory. */
    private final DirectoryLister lister;
    /** First offered name of each file with more than one link, by (device, inode). */
    private final Map<FileKey, String> firstNames = new HashMap<>();
    /** The roots opened for the arguments, closed at the end of the walk. */
    private final List<ConfinedRoot> roots = new ArrayList<>();
    private int nextArg;
    private Listing current;
    private List<Entry> entries;
    private List<Path> sources;
    private long bytes;
    /** Extended attribute bytes of the batch being made. */
    private long xattrBytes;

    private record FileKey(long device, long inode) {
    }

    public SourceScanner(Options options, List<String> args) {
        this(options, args, DirectoryLister.workersFor(Runtime.getRuntime().availableProcessors()));
    }

    /** With {@code listers} threads reading directories (they finish in any order: the offer order follows). */
    SourceScanner(Options options, List<String> args, int listers) {
        this.options = options;
        this.args = List.copyOf(args);
        this.lister = new DirectoryLister(listers, 2 * listers + 4);
    }

    /**
     * Checks every argument before anything is sent: a typo is a usage error, not a partial transfer (see
     * {@link SourceArguments#check}).
     */
    public SourceScanner check() throws DwcpException {
        SourceArguments.check(args);
        return this;
    }

    /** A directory among the sources. */
    @Override
    public boolean tree() {
        for (String arg : args) {
            if (!SourceArguments.link(arg) && Files.isDirectory(Path.of(arg))) {
                return true;
            }
        }
        return false;
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
        xattrBytes = 0;
        while (entries.size() < maxEntries && bytes < maxBytes && xattrBytes < BATCH_XATTR_BYTES) {
            if (current != null && current.next < current.names.length) {
                visit(current, current.next++);
            } else if (current != null) {
                finishListing(current);
                current = null;
            } else if (lister.outstanding() > 0) {
                current = new Listing(lister.take());
                skipped.addAll(current.read.skipped());
            } else if (nextArg < args.size()) {
                startArgument(args.get(nextArg++));
            } else {
                closeRoots();
                break;
            }
        }
        return entries.isEmpty() ? null : new Batch(entries, sources);
    }

    /** Closes what the walk holds open; called at its end, and by a sender that stops before the end. */
    @Override
    public void close() {
        closeRoots();
    }

    private void closeRoots() {
        lister.close();
        current = null;
        for (ConfinedRoot r : roots) {
            try {
                r.close();
            } catch (IOException ignored) {
                // read-only directory fds: nothing to lose
            }
        }
        roots.clear();
    }

    /**
     * An argument is walked below a root opened at it (contents) or at its parent (the directory or file itself),
     * so every look-up below is relative to an open directory.
     */
    private void startArgument(String arg) throws IOException {
        Path given = Path.of(arg);
        boolean link = SourceArguments.link(arg);
        // A link's own directory is resolved, not the link: its name and text are what is sent.
        Path p = link ? given.toAbsolutePath().getParent().toRealPath().resolve(given.getFileName()) : given.toRealPath();
        boolean dir = !link && Files.isDirectory(p);
        if (dir && SourceArguments.contents(arg)) {
            // Opened as given, the kernel resolving links and "..": its real path may not be text (a directory
            // whose name is not UTF-8), and only its contents' names are sent.
            Path at = given.toAbsolutePath();
            Pending top = new Pending(open(at), null, "", "", "", at);
            try (ConfinedDirectory d = top.root().openDirectory("")) {
                // DEST itself takes the directory's metadata, as with rsync: an entry with the empty path.
                offer(top, d, ".", "", null, statQuietly(d, "."));
            }
            lister.submit(top);
            return;
        }
        Path parent = p.getParent();
        String name = p.getFileName().toString();
        if (!representable(p)) { // p holds the name's real bytes, the string may not
            unrepresentable(p);
            return;
        }
        Pending at = new Pending(open(parent), null, "", "", "", parent);
        if (!accept(name, at, name)) {
            return;
        }
        try (ConfinedDirectory d = at.root().openDirectory("")) {
            if (offer(at, d, name, name, null, statQuietly(d, name)) && dir) {
                lister.submit(at.child(null, name));
            }
        }
    }

    private ConfinedRoot open(Path dir) throws IOException {
        ConfinedRoot r = options.io().open(dir);
        roots.add(r);
        return r;
    }

    private static FileStat statQuietly(ConfinedDirectory d, String name) {
        try {
            return d.stat(name).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void finishListing(Listing l) {
        if (l.dir != null) {
            l.dir.expect(l.subdirs.size()); // before the first child is handed to a worker
        }
        if (options.delete() && l.complete) {
            add(new Entry(EntryKind.LISTED, l.where.rel(), 0, 0, 0, "", Entry.NO_ID, Entry.NO_ID, 0), null);
        }
        lister.submitAll(l.subdirs); // ahead of what waits, first subdirectory first: depth first
    }

    private void visit(Listing l, int index) {
        String name = l.names[index];
        String rel = l.where.childRel(name);
        if (!accept(rel, l.where, name)) {
            l.complete = false; // the receiver may hold the name: keep it
            return;
        }
        if (offer(l.where, l.dir.dir, name, rel, l, l.read.stats().get(index)) && l.lastWasDirectory) {
            l.subdirs.add(l.where.child(l.dir, name));
        }
    }

    /**
     * Offers {@code name} of directory {@code dir} as {@code rel}; returns false when it was left out. With a
     * {@code listing}, says in it whether the entry was a directory.
     */
    private boolean offer(Pending where, ConfinedDirectory dir, String name, String rel, Listing listing, FileStat a) {
        if (a == null) {
            skipped.add("path=\"" + where.shown().resolve(name) + "\" reason=vanished-or-unreadable");
            if (listing != null) {
                listing.complete = false;
            }
            return false;
        }
        int mode = a.mode();
        boolean isDir = (mode & S_IFMT) == S_IFDIR;
        if (listing != null) {
            listing.lastWasDirectory = isDir;
        }
        if (!rel.isEmpty() && options.filters().excluded(rel, isDir)) {
            return false; // and, for a directory, its whole subtree
        }
        long mtime = a.mtimeNanos();
        Entry e;
        Path source = null;
        switch (mode & S_IFMT) {
            case S_IFDIR -> e = new Entry(EntryKind.DIR, rel, 0, mode & 07777, mtime, "", a.uid(), a.gid(), 0);
            case S_IFREG -> {
                String first = null;
                if (a.links() > 1) {
                    first = firstNames.putIfAbsent(new FileKey(a.device(), a.inode()), rel);
                }
                if (first != null) {
                    e = Entry.hardLink(rel, first);
                } else {
                    e = new Entry(EntryKind.FILE, rel, a.size(), mode & 07777, mtime, "", a.uid(), a.gid(), 0);
                    source = where.shown().resolve(name);
                }
            }
            case S_IFLNK -> {
                String target;
                try {
                    synchronized (listing == null ? dir : listing.dir) { // a worker may be opening a sibling
                        target = dir.readlink(name);
                    }
                } catch (IOException e2) {
                    skipped.add("symlink=\"" + where.shown().resolve(name) + "\" reason=unreadable detail=\"" + e2.getMessage() + "\"");
                    return false;
                }
                if (target.indexOf('\uFFFD') >= 0 && !representableTarget(where.shown().resolve(name))) {
                    // Its bytes are not UTF-8: sent as text, the link would point somewhere else.
                    skipped.add("symlink=\"" + where.shown().resolve(name)
                            + "\" reason=target-not-representable charset=UTF-8");
                    return false;
                }
                if (options.safeLinks() && RelativePaths.leavesTree(rel, target)) {
                    skipped.add("symlink=\"" + where.shown().resolve(name) + "\" reason=unsafe-link target=\"" + target + "\"");
                    return false;
                }
                e = new Entry(EntryKind.SYMLINK, rel, 0, 0777, mtime, target, a.uid(), a.gid(), 0);
            }
            default -> e = new Entry(EntryKind.SPECIAL, rel, 0, mode & (S_IFMT | 07777), mtime, "", a.uid(), a.gid(),
                    a.rdev());
        }
        if (options.xattrs() && e.kind() != EntryKind.HARDLINK) {
            e = withXattrs(e, dir, name, where.shown().resolve(name));
            if (e == null) {
                if (a.links() > 1) {
                    firstNames.remove(new FileKey(a.device(), a.inode()), rel); // a later name goes as the first
                }
                if (listing != null) {
                    listing.complete = false; // the receiver keeps its copy: not ours to delete
                }
                return false;
            }
        }
        if (source != null) {
            bytes += e.size();
        }
        add(e, source);
        return true;
    }

    /** {@code e} with its extended attributes, or null (and a line in {@link #skipped()}) when they cannot go. */
    private Entry withXattrs(Entry e, ConfinedDirectory dir, String name, Path shown) {
        Xattrs x;
        try {
            x = Xattrs.of(dir.xattrs(name, XattrPolicy::sendable));
        } catch (IOException | RuntimeException ex) {
            skipped.add("path=\"" + shown + "\" reason=unreadable-xattrs detail=\"" + ex.getMessage() + "\"");
            return null;
        }
        if (x.bytes() > Limits.MAX_ENTRY_XATTR_BYTES) {
            skipped.add("path=\"" + shown + "\" reason=xattrs-too-large bytes=" + x.bytes() + " max="
                    + Limits.MAX_ENTRY_XATTR_BYTES);
            return null;
        }
        xattrBytes += x.bytes();
        return e.withXattrs(x);
    }

    private void add(Entry e, Path source) {
        entries.add(e);
        sources.add(source);
    }

    private boolean accept(String rel, Pending where, String name) {
        // A lossy name shows U+FFFD; only then is its path worth building to tell it from a genuine one.
        if (name.indexOf('\uFFFD') >= 0 && !representable(where.shown().resolve(name))) {
            unrepresentable(where.shown().resolve(name));
            return false;
        }
        try {
            RelativePaths.check(rel, options.maxPathBytes());
            return true;
        } catch (DwcpException e) {
            skipped.add("path=\"" + where.shown().resolve(name) + "\" " + e.getMessage());
            return false;
        }
    }

    private void unrepresentable(Path local) {
        skipped.add(unrepresentableLine(local));
    }

    /** The skipped line for a name that is not text in the file-name charset. */
    static String unrepresentableLine(Path local) {
        return "path=\"" + local + "\" reason=name-not-representable charset=" + System.getProperty("sun.jnu.encoding");
    }

    /**
     * False for a name whose bytes are not text in the JVM's file-name charset (UTF-8 under the launcher): it
     * reads as U+FFFD, and sending that string would create a differently named file.
     */
    private static boolean representable(Path local) {
        String s = local.toString();
        return s.indexOf('\uFFFD') < 0 || local.getFileSystem().getPath(s).equals(local);
    }

    /** As {@link #representable}, for the target of the link at {@code link}: false when it cannot be read again. */
    private static boolean representableTarget(Path link) {
        try {
            return representable(Files.readSymbolicLink(link));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
