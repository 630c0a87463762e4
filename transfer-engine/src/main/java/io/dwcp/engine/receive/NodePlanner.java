package io.dwcp.engine.receive;

import static io.dwcp.core.message.Message.FilePlan.CONTENT;
import static io.dwcp.core.message.Message.FilePlan.CREATED;
import static io.dwcp.core.message.Message.FilePlan.TARGET;

import io.dwcp.core.DwcpException;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.core.message.Message.FilePlan;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.zerocopy.FileStat;

/**
 * Plans the entries that carry no data, symlinks and special files, for {@link BatchPlanner}: each is made in place
 * at once (under the part name, then renamed over whatever is there), or only given its metadata when the right
 * thing is already there; in a dry run nothing is changed and the line says what would be. Session thread only.
 */
final class NodePlanner {
    private final StorageRoot root;
    private final String dest;
    private final boolean dryRun;
    /** Told of every change made here, so that the commit flushes it. */
    private final TreeCommitter committer;
    private final MetadataCheck metadata;

    /** Asked whether a directory where the sender has a link or node makes way for it (and removes it if so). */
    @FunctionalInterface
    interface MakeWay {
        boolean directory(String path, String shown) throws DwcpException;
    }

    private final MakeWay makeWay;
    /** Whether a path is directly inside a directory the planner made (or, in a dry run, would make): nothing there. */
    private final java.util.function.Predicate<String> inNewDirectory;

    NodePlanner(StorageRoot root, String dest, boolean dryRun, MetadataCheck metadata, TreeCommitter committer,
                MakeWay makeWay, java.util.function.Predicate<String> inNewDirectory) {
        this.makeWay = makeWay;
        this.inNewDirectory = inNewDirectory;
        this.committer = committer;
        this.root = root;
        this.dest = dest;
        this.dryRun = dryRun;
        this.metadata = metadata;
    }

    /** A symlink is stored verbatim, made under the part name and renamed over the target: never half-made. */
    FilePlan planSymlink(int id, Entry e, Lookups lookups) throws DwcpException {
        String p = root.resolve(dest, e.path());
        FileStat here = inNewDirectory.test(p) ? null : lookups.stat(p, e.path()).orElse(null);
        if (here != null && here.isDirectory()) {
            if (!makeWay.directory(p, e.path())) {
                throw RelativePaths.refused(e.path(), "exists-as-directory");
            }
            here = null;
        }
        boolean same = here != null && here.isSymbolicLink() && lookups.readlink(p, e.path()).equals(e.linkTarget());
        int changes = here == null ? CREATED : !same ? TARGET : metadata.differs(e, here, p, lookups);
        if (dryRun || changes == 0) {
            return FilePlan.skip(id, changes);
        }
        place(p, e, true, lookups, same ? null : tmp -> root.symlink(e.linkTarget(), tmp, e.path()));
        return FilePlan.skip(id, changes);
    }

    /**
     * FIFOs and sockets anywhere (mknod makes both unprivileged); devices only as root, as rsync does (a warning,
     * not a failure, otherwise). A socket is made as rsync makes it: a name with the socket's type, nothing bound.
     */
    FilePlan planSpecial(int id, Entry e, Lookups lookups) throws DwcpException {
        int type = e.mode() & 0170000;
        boolean device = type == 0020000 || type == 0060000;
        if (device && !root.keepsOwners()) {
            return new FilePlan(id, FilePlan.SKIP, 0, 0, new byte[0], "path=\"" + e.path()
                    + "\" reason=device-skipped-not-root");
        }
        String p = root.resolve(dest, e.path());
        FileStat here = inNewDirectory.test(p) ? null : lookups.stat(p, e.path()).orElse(null);
        if (here != null && here.isDirectory()) {
            if (!makeWay.directory(p, e.path())) {
                throw RelativePaths.refused(e.path(), "exists-as-directory");
            }
            here = null;
        }
        boolean same = here != null && (here.mode() & 0170000) == (e.mode() & 0170000) && here.rdev() == e.rdev();
        int changes = !same ? (here == null ? CREATED : CONTENT) : metadata.differs(e, here, p, lookups);
        if (dryRun || changes == 0) {
            return FilePlan.skip(id, changes);
        }
        place(p, e, false, lookups, same ? null : tmp -> root.mknod(tmp, e.mode(), e.rdev(), e.path()));
        return FilePlan.skip(id, changes);
    }

    /** Makes a link or special file at a path (the part name), given to it. */
    @FunctionalInterface
    private interface Maker {
        void make(String at) throws DwcpException;
    }

    /**
     * Puts {@code e} at {@code p}: made under the part name with its metadata, then renamed over whatever is there,
     * so no reader sees it half-made; with no {@code maker} (the right thing is already there) only its metadata.
     */
    private void place(String p, Entry e, boolean link, Lookups lookups, Maker maker) throws DwcpException {
        committer.changedOutsideFiles();
        if (maker == null) {
            root.setMetadata(p, e, link, e.path());
            return;
        }
        lookups.close(); // the tree changes: look again afterwards
        root.ensureParents(p, e.path());
        String tmp = RelativePaths.partPath(p);
        root.deleteQuietly(tmp);
        maker.make(tmp);
        root.setMetadata(tmp, e, link, e.path());
        root.rename(tmp, p, e.path());
    }
}
