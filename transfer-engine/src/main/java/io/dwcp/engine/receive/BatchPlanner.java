package io.dwcp.engine.receive;

import static io.dwcp.core.message.Message.FilePlan.CONTENT;
import static io.dwcp.core.message.Message.FilePlan.CREATED;
import static io.dwcp.core.message.Message.FilePlan.GROUP;
import static io.dwcp.core.message.Message.FilePlan.OWNER;
import static io.dwcp.core.message.Message.FilePlan.PERMS;
import static io.dwcp.core.message.Message.FilePlan.TIME;
import static io.dwcp.core.message.Message.FilePlan.XATTRS;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.digest.PageSums;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.FilterRules;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.core.manifest.Xattrs;
import io.dwcp.core.message.Message;
import io.dwcp.core.message.Message.FilePlan;
import io.dwcp.engine.owners.Accounts;
import io.dwcp.engine.owners.OwnerMapping;
import io.dwcp.engine.storage.BasisDigests;
import io.dwcp.engine.storage.BasisPages;
import io.dwcp.engine.storage.IncomingFile;
import io.dwcp.engine.storage.PartJournal;
import io.dwcp.engine.storage.ReceivingPaths;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.engine.storage.UndoLog;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.FileStat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * Answers one OFFER batch, entry by entry: directories are made, links and special files made in place, a file
 * whose size and mtime match what is here is skipped without being read (rsync's quick check) unless
 * {@code --checksum} or {@code --ignore-times} asked otherwise, and every other file becomes an
 * {@link IncomingFile}, with the block digests of what is here as its basis. An entry that cannot be taken gets a
 * FAILED line naming why and the rest of the batch goes on. In a dry run nothing is changed: every line says what
 * would be. Runs on the session's thread.
 */
final class BatchPlanner {
    /** What one batch set up. */
    record Planned(Message.Plan plan, List<IncomingFile> files, List<String> deleted) {
    }

    private final StorageRoot root;
    private final ReceivingPaths receiving;
    private final Object owner;
    private final Message.Offer first;
    private final boolean dryRun;
    private final TreeCommitter committer;
    private final Deleter deleter;
    /** The paths the batch being planned deleted, for its DELETED messages. */
    private List<String> batchDeleted = new ArrayList<>();
    private final MetadataCheck metadata;
    private final NodePlanner nodes;
    /** Owners by name, when this receiver keeps owners and the sender names them (no {@code --numeric-ids}). */
    private final OwnerMapping owners;
    /**
     * Basis digest bytes one PLAN may carry: half a control frame, the rest is room for its lines. A file whose
     * digests would not fit in what is left comes whole instead (correct, only without the delta), so a PLAN always
     * fits its frame and no sender can make the server digest more than that per batch.
     */
    private final long digestBudget;
    private long digestsLeft;
    /** DEST did not exist before this transfer made it. */
    private boolean destCreated;
    /** The look-ups of the batch being planned. */
    private Lookups lookups;
    /**
     * Directories this session made (bounded: forgotten past {@link #MADE_REMEMBERED}): nothing was in them, and
     * whatever is in them now this session put there, so an entry of the file list inside one is new without a
     * look (a first copy of a tree: one failed {@code statx} per file, and opening each new directory to make it).
     */
    private final java.util.Set<String> made = new java.util.HashSet<>();
    private static final int MADE_REMEMBERED = 16_384;
    /** The parent of the last file looked up in {@link #made}, and the answer: a batch comes a directory at a time. */
    private String madeParent = "";
    private boolean madeAnswer;

    BatchPlanner(StorageRoot root, ReceivingPaths receiving, Object owner, Message.Offer first, int maxControlBody)
            throws DwcpException {
        this.digestBudget = maxControlBody / 2;
        this.root = root;
        this.receiving = receiving;
        this.owner = owner;
        this.first = first;
        this.dryRun = first.has(Message.Offer.DRY_RUN);
        this.committer = new TreeCommitter(root, first.dest());
        this.deleter = first.has(Message.Offer.DELETE)
                ? new Deleter(root, first.dest(), dryRun, FilterRules.fromLines(first.filters())) : null;
        this.metadata = new MetadataCheck(root, first.has(Message.Offer.XATTRS));
        this.nodes = new NodePlanner(root, first.dest(), dryRun, metadata, committer, this::directoryMakesWay,
                this::inMadeDirectory);
        this.owners = root.keepsOwners() && !first.has(Message.Offer.NUMERIC_IDS)
                ? new OwnerMapping(Accounts.system()) : null;
    }

    /** Extended attributes this receiver did not apply, so far (see {@link MetadataCheck#skipped}). */
    long skippedXattrs() {
        return metadata.skippedXattrs();
    }

    TreeCommitter committer() {
        return committer;
    }

    /**
     * Plans {@code batch}. {@code claim} is given the bytes new files will take before any basis is read (it
     * throws when there is no room); returns null when {@code abandoned} turned true on the way.
     */
    Planned plan(Message.Offer batch, LongConsumerWithLimit claim, Runnable onProgress, BooleanSupplier abandoned)
            throws DwcpException {
        if (!batch.dest().equals(first.dest()) || batch.blockSize() != first.blockSize() || batch.flags() != first.flags()) {
            throw DwcpException.protocol("frame=offer reason=batch-differs-from-first");
        }
        if (batch != first && !batch.filters().isEmpty()) {
            throw DwcpException.protocol("frame=offer reason=filters-after-first-batch");
        }
        if (owners != null && !batch.owners().isEmpty()) {
            batch = new Message.Offer(batch.dest(), batch.blockSize(), batch.flags(), batch.firstId(), batch.filters(),
                    batch.owners(), owners.map(batch.entries(), batch.owners()));
        }
        String dest = first.dest();
        if (!dryRun && batch.firstId() == 0 && !dest.isEmpty()) {
            String destDir = root.check(dest);
            destCreated = root.stat(destDir, dest).isEmpty();
            if (destCreated && root.makeDirectory(destDir, dest)) {
                remember(destDir);
            } else {
                root.ensureParents(destDir, dest);
                root.ensureDirectory(destDir, dest);
            }
        }
        List<Entry> entries = batch.entries();
        try (Lookups l = new Lookups(root)) {
            lookups = l;
            return planBatch(batch, entries, claim, onProgress, abandoned);
        } finally {
            lookups = null;
        }
    }

    private Planned planBatch(Message.Offer batch, List<Entry> entries, LongConsumerWithLimit claim, Runnable onProgress,
                              BooleanSupplier abandoned) throws DwcpException {
        FilePlan[] lines = new FilePlan[entries.size()];
        FileStat[] basis = new FileStat[entries.size()];
        digestsLeft = digestBudget;
        List<String> deleted = new ArrayList<>();
        batchDeleted = deleted;
        long newBytes = 0;
        for (int i = 0; i < lines.length; i++) {
            Entry e = entries.get(i);
            int id = batch.firstId() + i;
            try {
                if (deleter != null) {
                    deleter.entry(e, deleted);
                }
                lines[i] = switch (e.kind()) {
                    case FILE -> {
                        FilePlan p = planFile(id, e, basis, i);
                        if (p.action() == FilePlan.NEW) {
                            newBytes += e.size();
                        }
                        yield p;
                    }
                    case DIR -> planDir(id, e);
                    case SYMLINK -> nodes.planSymlink(id, e, lookups);
                    case HARDLINK -> {
                        if (!dryRun) {
                            committer.hardLink(e);
                        }
                        yield FilePlan.skip(id, 0);
                    }
                    case SPECIAL -> nodes.planSpecial(id, e, lookups);
                    case LISTED -> FilePlan.skip(id, 0);
                };
                String skipped = metadata.skipped(e);
                if (!skipped.isEmpty() && lines[i].detail().isEmpty()) {
                    FilePlan l = lines[i];
                    lines[i] = new FilePlan(l.fileId(), l.action(), l.changes(), l.basisSize(), l.blockDigests(), skipped);
                }
            } catch (DwcpException ex) {
                if (ex.code() == ErrorCode.PROTOCOL) {
                    throw ex;
                }
                lines[i] = FilePlan.failed(id, ex.getMessage());
            }
        }
        claim.accept(newBytes);
        List<IncomingFile> files = new ArrayList<>();
        if (!digestBases(batch, lines, basis, files, onProgress, abandoned)) {
            return null;
        }
        return new Planned(new Message.Plan(List.of(lines)), files, deleted);
    }

    /** A consumer of bytes to claim that may refuse them. */
    @FunctionalInterface
    interface LongConsumerWithLimit {
        void accept(long bytes) throws DwcpException;
    }

    /**
     * A changed file whose old or new version is no bigger than this goes whole (a NEW plan), as rsync's
     * {@code --whole-file} sends it: comparing against the old version costs a read and a digest at both ends and a
     * refine round trip, to save at most this many bytes. 100,000-file tree with 1% of its files rewritten: every
     * one of the 989 changed files was refined, and not one page was spared. {@code --checksum} still compares
     * (finding identical content is what it is for).
     */
    static final long WHOLE_FILE_MAX = 64 * 1024;

    /**
     * A directory where the sender has a file, link or node makes way for it, as in rsync: an empty one always, one
     * with contents only under {@code --delete} (what the rules exclude below it stays, and then so does the
     * directory, which is refused). True when it went, or in a dry run would go.
     */
    private boolean directoryMakesWay(String path, String shown) throws DwcpException {
        if (deleter != null) {
            if (!dryRun) {
                lookups.close(); // the tree changes: look again afterwards
            }
            return root.removeTree(path, shown, deleter.spared(), dryRun, batchDeleted::add);
        }
        if (dryRun) {
            return root.isEmptyDirectory(path, shown);
        }
        lookups.close();
        return root.rmdirIfEmpty(path, shown);
    }

    private FilePlan planFile(int id, Entry e, FileStat[] basis, int index) throws DwcpException {
        String target = root.resolve(first.dest(), e.path());
        FileStat here = inMadeDirectory(target) ? null : lookups.stat(target, e.path()).orElse(null);
        if (here != null && here.isDirectory()) {
            if (!directoryMakesWay(target, e.path())) {
                throw RelativePaths.refused(e.path(), "exists-as-directory");
            }
            here = null;
        }
        if (here == null || !here.isRegularFile()) {
            return dryRun ? FilePlan.skip(id, CREATED) : claimed(new FilePlan(id, FilePlan.NEW, 0, new byte[0]), target, e);
        }
        int differs = metadata.differs(e, here, target, lookups);
        boolean sameContentByQuickCheck = here.size() == e.size() && here.mtimeNanos() == e.mtimeNanos();
        if (sameContentByQuickCheck && !first.has(Message.Offer.CHECKSUM) && !first.has(Message.Offer.IGNORE_TIMES)) {
            if (differs != 0 && !dryRun) {
                root.setMetadata(target, e, false, e.path());
                committer.changedOutsideFiles();
            }
            return FilePlan.skip(id, differs);
        }
        int changes = differs | (here.size() != e.size() ? CONTENT | FilePlan.SIZE : 0);
        if (dryRun) {
            return FilePlan.skip(id, changes == 0 ? CONTENT : changes);
        }
        if (Math.min(here.size(), e.size()) <= WHOLE_FILE_MAX && !first.has(Message.Offer.CHECKSUM)) {
            return claimed(new FilePlan(id, FilePlan.NEW, changes | CONTENT, 0, new byte[0], ""), target, e);
        }
        long digestBytes = io.dwcp.core.io.FileBlocks.blockCount(here.size(), first.blockSize())
                * (long) io.dwcp.core.digest.BlockDigests.DIGEST_LENGTH;
        if (digestBytes > digestsLeft) {
            return claimed(new FilePlan(id, FilePlan.NEW, changes | CONTENT, 0, new byte[0], ""), target, e);
        }
        digestsLeft -= digestBytes;
        basis[index] = here;
        return claimed(new FilePlan(id, FilePlan.BASIS, changes | CONTENT, here.size(), new byte[0], ""), target, e);
    }

    private void remember(String dir) {
        if (made.size() >= MADE_REMEMBERED) {
            made.clear();
        }
        made.add(dir);
        madeParent = ""; // a file directly in the root ("") is never taken for one in a made directory
        madeAnswer = false;
    }

    /** Whether {@code path} is directly inside a directory this session made. */
    private boolean inMadeDirectory(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return false;
        }
        if (slash != madeParent.length() || !path.regionMatches(0, madeParent, 0, slash)) {
            madeParent = path.substring(0, slash);
            madeAnswer = made.contains(madeParent);
        }
        return madeAnswer;
    }

    private FilePlan claimed(FilePlan p, String target, Entry e) throws DwcpException {
        receiving.claim(RelativePaths.partPath(target), e.path(), owner);
        return p;
    }

    private FilePlan planDir(int id, Entry e) throws DwcpException {
        if (e.path().isEmpty() && first.dest().isEmpty()) {
            return FilePlan.skip(id, 0); // the server's root itself keeps the metadata its operator gave it
        }
        String p = e.path().isEmpty() ? root.check(first.dest()) : root.resolve(first.dest(), e.path());
        FileStat here = inMadeDirectory(p) ? null : lookups.stat(p, e.path()).orElse(null);
        if (here != null && !here.isDirectory()) {
            if (e.path().isEmpty()) {
                throw RelativePaths.refused(e.path(), "exists-as-non-directory");
            }
            // A file, link or node where the sender has a directory makes way for it, as in rsync. Unlinked, never
            // removed as a tree: one swapped for a directory meanwhile is refused (EISDIR), not emptied.
            if (!dryRun) {
                lookups.close();
                root.unlink(p, e.path());
            }
            here = null;
        }
        // DEST itself was made for this transfer a moment ago: it is new, as the listing should say.
        int changes = here == null || (e.path().isEmpty() && destCreated) ? CREATED
                : metadata.differs(e, here, p, lookups);
        if (dryRun && here == null && !e.path().isEmpty()) {
            remember(p); // what it would hold is new too, whatever stands at its path now
        }
        if (!dryRun) {
            if (here == null) {
                lookups.close(); // the tree changes: look again afterwards
                if (root.makeDirectory(p, e.path())) {
                    remember(p);
                }
            }
            if (e.xattrs().known() && (here == null || (changes & (CREATED | XATTRS)) != 0)) {
                // now, not at COMMIT: making the directory's contents does not disturb them, and the committer
                // then holds no attribute bytes for the directories of a whole tree
                root.setXattrs(p, e, e.path().isEmpty() ? "." : e.path());
                committer.changedOutsideFiles();
            }
            committer.dir(e.withXattrs(Xattrs.UNKNOWN));
        }
        return FilePlan.skip(id, changes);
    }

    /**
     * Digests the files here that changed files will be compared against, one read buffer for the batch, and
     * makes the batch's incoming files.
     */
    private boolean digestBases(Message.Offer batch, FilePlan[] lines, FileStat[] basis, List<IncomingFile> files,
                                Runnable onProgress, BooleanSupplier abandoned) throws DwcpException {
        int bs = first.blockSize();
        try (Arena arena = Arena.ofConfined()) {
            ByteBuffer scratch = null;
            for (int i = 0; i < lines.length; i++) {
                FilePlan p = lines[i];
                if (p.action() != FilePlan.NEW && p.action() != FilePlan.BASIS) {
                    continue;
                }
                Entry e = batch.entries().get(i);
                String target = root.resolve(first.dest(), e.path());
                byte[] digests = null;
                long basisSize = 0;
                if (e.size() >= IncomingFile.MIN_RESUME_SIZE && !batch.has(Message.Offer.DRY_RUN)) {
                    if (scratch == null) {
                        scratch = arena.allocate(bs, 4096).asByteBuffer();
                    }
                    PartJournal.Verified proven = PartJournal.verify(root, RelativePaths.partPath(target), e, bs, scratch);
                    if (proven != null) {
                        IncomingFile f = IncomingFile.resuming(p.fileId(), e, root, target, bs, proven);
                        durability(f, batch);
                        files.add(f);
                        lines[i] = new FilePlan(p.fileId(), FilePlan.BASIS, p.changes() | FilePlan.RESUMED, e.size(),
                                proven.digests(), p.detail());
                        continue;
                    }
                }
                if (basis[i] != null && e.size() >= IncomingFile.MIN_RESUME_SIZE
                        && UndoLog.recoverAt(root, target, e.path())) {
                    // An in-place transfer was interrupted here: the file is its old self again; look at it anew.
                    basis[i] = root.stat(target, e.path()).orElse(null);
                }
                DataFile clone = null;
                byte[] pages = null;
                PageSums sums = null;
                if (basis[i] != null) {
                    basisSize = basis[i].size();
                    if (scratch == null) {
                        scratch = arena.allocate(bs, 4096).asByteBuffer();
                    }
                    // The part file, where it can be a reflink of the basis, is made first and the basis read from it.
                    if (!batch.has(Message.Offer.INPLACE) && !batch.has(Message.Offer.DRY_RUN)) {
                        clone = IncomingFile.cloneBasisAhead(root, target, e.path(), basisSize);
                    }
                    // The page digests a REFINE asks for are taken in the same pass, while each block is in memory;
                    // from a clone also every page's whole digest and CRC, so page frames need not read it back.
                    pages = BasisPages.reserve(basisSize, bs);
                    sums = clone != null && basisSize >= IncomingFile.MIN_RESUME_SIZE
                            ? PageSums.reserve(basisSize, bs) : null;
                    boolean pagesComplete = false;
                    try {
                        BasisDigests.Digested d = clone != null
                                ? BasisDigests.digest(clone, e.path(), basisSize, bs, scratch, onProgress, pages, sums)
                                : digestBasis(target, e.path(), basisSize, bs, scratch, onProgress, pages);
                        digests = d.blocks();
                        pagesComplete = d.pagesComplete();
                    } catch (DwcpException ex) {
                        digests = null; // unreadable basis: the file comes whole
                        basisSize = 0;
                    }
                    boolean stop = abandoned.getAsBoolean();
                    if (pages != null && (digests == null || stop || !pagesComplete)) {
                        BasisPages.release(pages);
                        pages = null;
                    }
                    if (sums != null && (digests == null || stop || !pagesComplete)) {
                        sums.release();
                        sums = null;
                    }
                    if (clone != null && (digests == null || stop)) {
                        IncomingFile.discardClonedPart(root, target, clone);
                        clone = null;
                    }
                    if (stop) {
                        return false;
                    }
                }
                IncomingFile f = new IncomingFile(p.fileId(), e, root, target, bs, digests, basisSize);
                if (clone != null) {
                    f.adoptClonedPart(clone);
                    if (sums != null) {
                        f.usePageSums(sums);
                        sums = null;
                    }
                } else if (digests != null) {
                    f.basisSeen(basis[i]);
                }
                if (pages != null) {
                    f.usePageDigests(pages);
                }
                durability(f, batch);
                if (digests != null && batch.has(Message.Offer.INPLACE)) {
                    f.changeInPlace(basis[i].mtimeNanos());
                }
                if ((p.changes() & (TIME | PERMS | OWNER | GROUP | XATTRS)) == 0) {
                    f.metadataMatches();
                }
                files.add(f);
                lines[i] = digests == null ? new FilePlan(p.fileId(), FilePlan.NEW, p.changes(), 0, new byte[0], p.detail())
                        : new FilePlan(p.fileId(), FilePlan.BASIS, p.changes(), basisSize, digests, p.detail());
            }
        }
        return true;
    }

    /**
     * The basis at {@code target} digested, opened from its directory as {@link #lookups} holds it: a batch's files
     * come a directory at a time, and a {@code --checksum} re-sync opens every one of them (by their whole paths, an
     * {@code openat2} each was a third of the planner's time).
     */
    private BasisDigests.Digested digestBasis(String target, String shown, long size, int bs, ByteBuffer scratch,
                                              Runnable onProgress, byte[] pages) throws DwcpException {
        try (DataFile f = lookups.openRead(target, shown)) {
            return BasisDigests.digest(f, shown, size, bs, scratch, onProgress, pages);
        } catch (IOException e) {
            throw BasisDigests.readFailed(shown, e);
        }
    }

    private static void durability(IncomingFile f, Message.Offer batch) {
        if (batch.has(Message.Offer.NO_FSYNC)) {
            f.noFsync();
        }
    }
}
