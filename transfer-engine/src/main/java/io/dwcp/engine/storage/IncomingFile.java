package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.digest.PageSums;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.FileStat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One file being received. Blocks arrive on any data stream, in any order; each is written at its offset
 * into {@code NAME.dwcp-part} (or spliced there by the stream itself: {@link #beginLanding}) and digested from
 * verified bytes. The file reaches its final name only when the sender's block count has arrived and the
 * whole-file digest recomputed from the received (and, for unchanged blocks, the basis) block digests equals the
 * sender's. Every path goes through the {@link StorageRoot}, never through a symlink.
 */
public final class IncomingFile {
    public static final String PART_SUFFIX = io.dwcp.core.manifest.RelativePaths.PART_SUFFIX;
    /** Part files are private to the server until they are complete. */
    static final int PART_MODE = 0600;

    /**
     * {@code VERIFIED}: the part file holds the verified bytes, cut to size and with the entry's metadata, still
     * open, and waits for its data to be flushed and its rename ({@link #verify()}, {@link #renameIntoPlace()}).
     */
    public enum State { RECEIVING, VERIFIED, DONE, FAILED }

    /** Most verified bytes between journal writes: what a crash can cost at most, besides blocks in flight. */
    static final long CHECKPOINT_BYTES = 256L << 20;
    /** Smaller files are not journaled: sending them again costs less than keeping their parts. */
    public static final long MIN_RESUME_SIZE = 4L << 20;
    /**
     * Part files open in this process above which a small new file whose blocks have all arrived is closed until
     * its FILE_END (and opened again, checked to be the same file, to be finished). A part file otherwise stays
     * open from its first block to its rename, and a sender whose FILE_ENDs lag behind its data (the session
     * thread planning the next batch meanwhile) could make the server hold a window's worth: /usr/share, 46,438
     * small files, failed with EMFILE at the 20,000-fd limit.
     */
    static volatile int openPartsLimit = openPartsLimitFor(maxFileDescriptors());

    /** Part files this process lets stay open ({@link #openPartsLimit}): the budget the flushing queue keeps to. */
    public static int openPartsLimit() {
        return openPartsLimit;
    }

    /**
     * A quarter of the process's fd limit, or all but 4,096 of it where that is more, at least 16 and at most 16,384:
     * the rest is room for sockets, jars, journals and directories (a server with 256 fds failed with EMFILE when part
     * files could take half), and parking costs a file an open, a stat and a read of its blocks again. At most 4,096,
     * a 100,000-file first copy with a 20,000-fd limit still parked about a quarter of its files (by allocation
     * samples): 3.58-3.69 s against 3.45-3.59 s with 10,000, server 3.69-3.87 against 3.48-3.68 CPU-s (two warm
     * servers alternating, 12 rounds each); at most 1,024, 4.2-5.0 s against 4.0-4.6 s.
     */
    static int openPartsLimitFor(long maxFds) {
        return (int) Math.max(16, Math.min(16_384, Math.max(maxFds / 4, maxFds - 4096)));
    }

    private static long maxFileDescriptors() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : 4096;
    }

    private final int id;
    private final Entry entry;
    private final StorageRoot root;
    private final String finalPath;
    private final String partPath;
    private final int blockSize;
    private final int blockCount;
    private final byte[] digests;
    private final AtomicLongArray received;
    private final AtomicInteger receivedCount = new AtomicInteger();
    private final byte[] basisDigests;
    private final long basisSize;
    /** The basis's checks, its statx from the plan and its page digests; null for a file without a basis. */
    private final FileBasis basis;
    /** The part file starts empty (no basis to copy), so whatever is not written reads as zeros. */
    private final boolean freshPart;
    /** A part file left by an interrupted transfer is resumed: its proven blocks are the basis, in place. */
    private final PartJournal.Verified resumed;
    /** Data is flushed before a journal lists it and before the rename (off with {@code --no-fsync}). */
    private volatile boolean durable = true;
    /** Verified bytes since the journal was last written. */
    private long sinceCheckpoint;
    /** A journal was written after the file's last byte: the part file is cut to size before its rename. */
    private boolean journalWritten;
    /** A checkpoint's data flush is under way on {@link #CHECKPOINTS} (guarded by the lock). */
    private boolean checkpointRunning;
    /** Another checkpoint came due meanwhile: it starts as soon as the running one ends (guarded by the lock). */
    private boolean checkpointPending;
    /** The snapshot a checkpoint writes, made once per file on its first checkpoint. Under the lock. */
    private long[] journalHave;
    private byte[] journalDigests;

    /**
     * Where a durable file's checkpoints flush its data before the journal is written: one shared daemon thread, off
     * the data path. Flushing 64 MiB inline held the file's lock, so every stream landing blocks of the file waited
     * for the disk; now only the journal write (a few KiB) happens under it. One checkpoint at a time per file.
     */
    private static final java.util.concurrent.ExecutorService CHECKPOINTS =
            java.util.concurrent.Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("dwcp-checkpoint").factory());

    private final Object lock = new Object();
    private PartFile part;
    /** How the part file becomes a copy of the basis; null for a fresh or resumed part file. */
    private BasisCopy basisCopy;
    /** The part file was cloned from the basis when the file was planned ({@link #adoptClonedPart}). */
    private boolean clonedPart;
    /** The clone's page sums, while page frames may be checked from them ({@link #sumsFor}); guarded by the lock. */
    private PageSums sums;
    /** {@code send --inplace}: the file at the final name being changed in place under an undo log; else null. */
    private InPlaceChange undo;
    /** The basis's mtime when the file is changed in place ({@link #changeInPlace}), or -1. */
    private long inPlaceMtime = -1;
    private long expectedBlocks = -1;
    /** Closed while waiting for FILE_END ({@link #openPartsLimit}); the part file's identity, checked on reopening. */
    private ParkedPart parked;
    private byte[] expectedDigest;
    private State state = State.RECEIVING;
    private boolean identical;
    /** The planner found mode, owner or mtime of the file here different from the entry's (or did not look). */
    private volatile boolean metadataDiffers = true;
    /** The file's last block was written into the part file, so a fresh part file already has its length. */
    private volatile boolean lastBlockWritten;

    /**
     * @param finalPath    the checked relative path below the root
     * @param basisDigests block digests of the file now at {@code finalPath}, or null when there is none
     */
    public IncomingFile(int id, Entry entry, StorageRoot root, String finalPath, int blockSize, byte[] basisDigests,
                        long basisSize) {
        this(id, entry, root, finalPath, blockSize, basisDigests, basisSize, null);
    }

    /**
     * A file whose interrupted part file is resumed: the blocks {@code resumed} proved are kept where they are, and
     * the sender, given their digests as the basis, sends the rest.
     */
    public static IncomingFile resuming(int id, Entry entry, StorageRoot root, String finalPath, int blockSize,
                                        PartJournal.Verified resumed) {
        return new IncomingFile(id, entry, root, finalPath, blockSize, resumed.digests(), entry.size(), resumed);
    }

    private IncomingFile(int id, Entry entry, StorageRoot root, String finalPath, int blockSize, byte[] basisDigests,
                         long basisSize, PartJournal.Verified resumed) {
        this.id = id;
        this.entry = entry;
        this.root = root;
        this.finalPath = finalPath;
        this.partPath = RelativePaths.partPath(finalPath);
        this.blockSize = blockSize;
        this.blockCount = FileBlocks.blockCount(entry.size(), blockSize);
        this.digests = new byte[blockCount * BlockDigests.DIGEST_LENGTH];
        this.received = new AtomicLongArray((blockCount + 63) / 64);
        this.basisDigests = basisDigests;
        this.basisSize = basisSize;
        this.basis = basisDigests == null ? null : new FileBasis(id, basisDigests, basisSize, entry.size(), blockSize);
        this.freshPart = basisDigests == null || basisSize == 0;
        this.resumed = resumed;
    }

    /**
     * A part file for the file at {@code finalPath}, made now as a reflink clone of the whole basis there
     * ({@code basisSize} bytes), for the planner to digest the basis from and then hand to
     * {@link #adoptClonedPart}; null where the file system cannot share extents, for a basis under
     * {@link #MIN_RESUME_SIZE} (a block or a few: not worth an fd held from the plan on), or when part files already
     * hold a quarter of the fds ({@link #openPartsLimit}). The caller closes and removes it with
     * {@link #discardClonedPart} if it does not adopt it.
     */
    public static DataFile cloneBasisAhead(StorageRoot root, String finalPath, String shown, long basisSize) {
        if (basisSize < MIN_RESUME_SIZE || PartFile.open() >= openPartsLimit) {
            return null;
        }
        return BasisCopy.cloneAhead(root, finalPath, RelativePaths.partPath(finalPath), basisSize, shown);
    }

    /** Closes and removes a part file from {@link #cloneBasisAhead} that no file adopted. */
    public static void discardClonedPart(StorageRoot root, String finalPath, DataFile clone) {
        try {
            clone.close();
        } catch (IOException ignored) {
            // removed below either way
        }
        root.deleteQuietly(RelativePaths.partPath(finalPath));
    }

    /**
     * The basis as the planner saw it ({@code lstat}) before it digested it: the copy of its unchanged blocks into
     * the part file, made later, refuses a basis written since ({@code reason=basis-changed}), whose bytes would no
     * longer be the ones the digests vouch for.
     */
    public void basisSeen(FileStat seen) {
        if (basis != null) {
            basis.seen(seen);
        }
    }

    /**
     * Takes {@code pages} ({@link BasisPages#reserve}), the page digests of every basis block taken when the basis was
     * digested for the plan, to answer REFINEs from; given back to the budget when the file ends.
     */
    public void usePageDigests(byte[] pages) {
        synchronized (lock) {
            if (state != State.RECEIVING || basis == null || !basis.usePages(pages)) {
                BasisPages.release(pages);
            }
        }
    }

    /**
     * Takes {@code s} ({@link PageSums#reserve}), the digest and CRC32C of every page of the clone this file adopted,
     * taken when it was digested for the plan: page frames for blocks still the clone's are then checked without
     * reading the block back ({@link #sumsFor}). Given back to the budget when every block is here or the file ends.
     */
    public void usePageSums(PageSums s) {
        synchronized (lock) {
            if (state != State.RECEIVING || !clonedPart || sums != null) {
                s.release();
            } else {
                sums = s;
            }
        }
    }

    /**
     * The page sums a page frame for the block at {@code offset} ({@code length} bytes) may be checked and digested
     * from, or null when the block must be read back: only while the part is the clone digested for the plan and
     * this block of it has not landed yet, and the basis has the block whole (the sender refines only those). The
     * caller holds the block's landing.
     */
    public PageSums sumsFor(long offset, int length) {
        synchronized (lock) {
            if (sums == null || state != State.RECEIVING || !clonedPart || undo != null || resumed != null
                    || offset + length > basisSize) {
                return null;
            }
            int i = (int) (offset / blockSize);
            if ((received.get(i >>> 6) & (1L << (i & 63))) != 0) {
                return null;
            }
            return sums;
        }
    }

    /**
     * Records a block a page frame landed in the part file (its changed pages written, the rest the clone's), whose
     * CRC32C the caller checked and whose digest it made from {@link #sumsFor}'s sums and the frame's pages: it is
     * {@code digest[0, 16)}. Returns true as {@link #accept} does.
     */
    public boolean acceptDerived(long offset, byte[] digest, int length) throws DwcpException {
        int i = check(offset, length);
        System.arraycopy(digest, 0, digests, i * BlockDigests.DIGEST_LENGTH, BlockDigests.DIGEST_LENGTH);
        return landed(i);
    }

    /** Gives the basis's page digests and sums back to their budget: no REFINE is answered after the file's end. */
    private void dropPageDigests() {
        if (basis != null) {
            basis.dropPages();
        }
        if (sums != null) {
            sums.release();
            sums = null;
        }
    }

    /**
     * Takes {@code clone} ({@link #cloneBasisAhead}, whose bytes the basis digests were taken from) as this file's
     * part file: it holds the basis already, so blocks land in it at once, and a REFINE's page digests and a
     * rebuilt block's basis bytes are read from it too (the pages the plan's digest left in the cache).
     */
    public void adoptClonedPart(DataFile clone) {
        synchronized (lock) {
            if (part != null || basisDigests == null || inPlace() || resumed != null) {
                throw new IllegalStateException("clone adopted by file=" + id + " that cannot take one");
            }
            part = new PartFile(clone);
            basisCopy = BasisCopy.shared(Math.min(basisSize, entry.size()), entry.path());
            clonedPart = true;
        }
    }

    /**
     * Changes the file at the final name in place ({@code send --inplace}) instead of building a new copy: only
     * changed bytes are written, each range's old bytes saved first in an undo log under the part name. Only for a
     * basis of {@link #MIN_RESUME_SIZE} or more that the new file does not shrink; {@code basisMtimeNanos} is what a
     * rollback puts back.
     */
    public void changeInPlace(long basisMtimeNanos) {
        if (basisDigests != null && resumed == null && entry.size() >= basisSize && basisSize >= MIN_RESUME_SIZE) {
            inPlaceMtime = basisMtimeNanos;
        }
    }

    /** True when this file is changed in place under an undo log. */
    public boolean inPlace() {
        return inPlaceMtime >= 0;
    }

    /** Scratch data ({@code send --no-fsync}): nothing of this file is flushed to disk before it is in place. */
    public void noFsync() {
        durable = false;
    }

    /** False for scratch data ({@link #noFsync()}): then the file is renamed as soon as it is verified. */
    public boolean durable() {
        return durable;
    }

    /** Blocks of an interrupted part file this file resumes from; 0 when it starts afresh. */
    public int resumedBlocks() {
        return resumed == null ? 0 : resumed.count();
    }

    public int id() {
        return id;
    }

    public Entry entry() {
        return entry;
    }

    /**
     * The file here already has the entry's mode, owner and mtime: if its bytes prove identical too, nothing is
     * set (a {@code --checksum} re-sync of an unchanged tree then writes no metadata at all).
     */
    public void metadataMatches() {
        metadataDiffers = false;
    }

    /** The final path below the root. */
    public String finalPath() {
        return finalPath;
    }

    /** The part file's path below the root. */
    public String partPath() {
        return partPath;
    }

    /** True when the root had no file here: every block of it takes new space. */
    public boolean isNew() {
        return basisDigests == null;
    }

    /** True when the file was already in place byte for byte and nothing had to be written. */
    public boolean identical() {
        synchronized (lock) {
            return identical;
        }
    }

    public State state() {
        synchronized (lock) {
            return state;
        }
    }

    /**
     * Checks that a block of {@code length} bytes at {@code offset} is one of this file's blocks, exactly;
     * returns its index. Called before the payload is read, and again when it is stored.
     */
    public int check(long offset, int length) throws DwcpException {
        long index = offset / blockSize;
        if (offset < 0 || offset % blockSize != 0 || index >= blockCount) {
            throw DwcpException.protocol("frame=data reason=offset-beyond-file file=" + id + " offset=" + offset
                    + " size=" + entry.size());
        }
        int want = FileBlocks.blockLength(entry.size(), blockSize, (int) index);
        if (length != want) {
            throw DwcpException.protocol("frame=data reason=wrong-block-length file=" + id + " offset=" + offset
                    + " length=" + length + " want=" + want);
        }
        return (int) index;
    }

    /** Checks that block {@code index} may be rebuilt from the basis ({@link FileBasis#checkBlock}). */
    public void checkBasisBlock(int index) throws DwcpException {
        basisFor(index).checkBlock(index);
    }

    private FileBasis basisFor(int block) throws DwcpException {
        if (basis == null) {
            throw DwcpException.protocol("reason=no-basis-block file=" + id + " block=" + block);
        }
        return basis;
    }

    /** Checks that a page frame at {@code offset} names the basis block planned there ({@code digest[0, 16)}). */
    public void checkBasis(long offset, byte[] digest) throws DwcpException {
        basisFor((int) (offset / blockSize)).check(offset, digest);
    }

    /**
     * The 8-byte digests of the pages of basis blocks {@code blocks} (a REFINE): from the plan's pass when held,
     * else read through {@code buf}, a block the caller owns, from the part file where it holds the basis (a clone,
     * or a resumed part's proven blocks) and from the file at the final name otherwise.
     */
    public byte[] pageDigests(int[] blocks, MemorySegment buf) throws DwcpException {
        for (int b : blocks) {
            checkBasisBlock(b);
        }
        byte[] cached = basis == null ? null : basis.cachedPages(blocks);
        if (cached != null) {
            return cached;
        }
        // A clone's or a resumed part's blocks are the basis here: the part file is read, not the final name.
        boolean fromPart;
        boolean partOpen;
        synchronized (lock) {
            fromPart = clonedPart || resumed != null;
            partOpen = part != null;
        }
        if (!fromPart || !partOpen) {
            return BasisDigests.pages(root, fromPart ? partPath : finalPath, entry.path(), entry.size(), blockSize,
                    blocks, buf);
        }
        DataFile f = beginLandingUnchecked(); // keeps the part file open while it is read
        try {
            return BasisDigests.pages(f, entry.path(), entry.size(), blockSize, blocks, buf);
        } finally {
            endLanding();
        }
    }

    /**
     * Stores one verified (CRC-checked) block, {@code block[0, length)}. Returns true when this call completed the
     * file's data, so the caller should try {@link #finish()}.
     *
     * @param allZero the block arrived as ZERO (all zero bytes): in a fresh part file it is left a hole, so a
     *                sparse file stays sparse and its holes cost no writes
     */
    public boolean accept(long offset, MemorySegment block, int length, boolean allZero) throws DwcpException {
        int i = check(offset, length);
        BlockDigests.digest(block, 0, length, digests, i);
        if (!(allZero && freshPart)) {
            DataFile f = beginLanding(offset, length);
            try {
                f.writeFully(block, 0, length, offset);
            } catch (IOException e) {
                throw writeFailed(e);
            } finally {
                endLanding();
            }
            if (i == blockCount - 1) {
                lastBlockWritten = true;
            }
        }
        return parkUnlessComplete(markReceived(i));
    }

    /**
     * Records a block a data stream landed in the part file itself ({@link #beginLanding}) after its bytes, read
     * back from the file into {@code verified[0, length)}, passed the CRC check. Returns true as {@link #accept}
     * does.
     */
    public boolean acceptLanded(long offset, MemorySegment verified, int length) throws DwcpException {
        int i = check(offset, length);
        BlockDigests.digest(verified, 0, length, digests, i);
        return landed(i);
    }

    /** Block {@code i} is in the part file with its digest recorded: counts it, as {@link #accept} returns. */
    private boolean landed(int i) {
        if (i == blockCount - 1) {
            lastBlockWritten = true;
        }
        return parkUnlessComplete(markReceived(i));
    }

    /**
     * After a block: when the file is not complete by its FILE_END yet but every block is here, closes the part
     * file if too many are open ({@link #openPartsLimit}). Only a small new file, written through its own fd and
     * not journaled, is parked; {@link #verify} opens it again.
     */
    private boolean parkUnlessComplete(boolean complete) {
        if (complete || receivedCount.get() != blockCount || PartFile.open() <= openPartsLimit) {
            return complete;
        }
        synchronized (lock) {
            if (state != State.RECEIVING || part == null || parked != null || !freshPart || resumed != null
                    || undo != null || basisCopy != null || entry.size() >= MIN_RESUME_SIZE || expectedBlocks >= 0
                    || part.landingInFlight()) {
                return false;
            }
            try {
                parked = new ParkedPart(part.file().stat());
            } catch (IOException e) {
                return false; // kept open: it is finished as usual
            }
            part.closeQuietly();
            part = null;
            return false;
        }
    }

    /**
     * The part file, for a data stream about to write block bytes at {@code offset} straight into it (splice).
     * Every call must be paired with {@link #endLanding()}. Refused once the file is finished or abandoned, and
     * for a block already received (a verified block is never overwritten).
     */
    public DataFile beginLanding(long offset, int length) throws DwcpException {
        int i = check(offset, length);
        BasisCopy copy;
        DataFile file;
        synchronized (lock) {
            if (state != State.RECEIVING) {
                throw notReceiving();
            }
            if ((received.get(i >>> 6) & (1L << (i & 63))) != 0) {
                throw DwcpException.protocol("frame=data reason=duplicate-block file=" + id + " offset=" + offset);
            }
            if (part == null) {
                part = new PartFile(openPart());
            }
            part.beginLanding();
            copy = basisCopy;
            file = part.file();
        }
        if (copy != null) {
            try {
                copy.awaitCovered(offset + length); // outside the lock: the copier may take a while to get here
            } catch (DwcpException e) {
                endLanding();
                throw e;
            }
        }
        return file;
    }

    /** A landing ended (written, failed or abandoned). */
    public void endLanding() {
        synchronized (lock) {
            if (part.endLanding()) {
                part.closeQuietly();
            }
            lock.notifyAll();
        }
    }

    /** Reads {@code want} landed bytes at {@code offset} back from the part file into {@code dst} (to verify them). */
    public void readBack(long offset, MemorySegment dst, int want) throws DwcpException {
        DataFile f = beginLandingUnchecked();
        try {
            int done = f.readAtMost(dst, 0, want, offset);
            if (done < want) {
                throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=read-back-short offset="
                        + (offset + done));
            }
        } catch (DwcpException e) {
            throw e;
        } catch (IOException e) {
            throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=read-back-failed detail=\""
                    + e.getMessage() + "\"");
        } finally {
            endLanding();
        }
    }

    /** The open part file for a read-back: the landing it verifies keeps it open. */
    private DataFile beginLandingUnchecked() throws DwcpException {
        synchronized (lock) {
            if (state != State.RECEIVING || part == null) {
                throw notReceiving();
            }
            part.beginLanding();
            return part.file();
        }
    }

    /** Sets block {@code i}'s bit; false when it was already set (a block sent twice counts once). */
    private boolean markReceived(int i) {
        int word = i >>> 6;
        long bit = 1L << (i & 63);
        while (true) {
            long w = received.get(word);
            if ((w & bit) != 0) {
                return false;
            }
            if (received.compareAndSet(word, w, w | bit)) {
                break;
            }
        }
        int count = receivedCount.incrementAndGet();
        synchronized (lock) {
            sinceCheckpoint += FileBlocks.blockLength(entry.size(), blockSize, i);
            if (sinceCheckpoint >= checkpointBytes() && state == State.RECEIVING && part != null
                    && !(expectedBlocks >= 0 && count == expectedBlocks)) {
                if (durable) {
                    checkpointInBackground();
                } else {
                    checkpoint();
                }
            }
            return expectedBlocks >= 0 && count == expectedBlocks;
        }
    }

    /** A sixteenth of the file (at least four blocks, at most {@link #CHECKPOINT_BYTES}) between journal writes. */
    private long checkpointBytes() {
        return Math.max(4L * blockSize, Math.min(CHECKPOINT_BYTES, entry.size() / 16));
    }

    /**
     * Writes the journal: the blocks verified here (received, or proven from an earlier part file) and their
     * digests, after the part file's data is flushed, so a journal never lists a block the disk does not hold.
     * Called under the lock; a failure only costs the resume.
     */
    private void checkpoint() {
        sinceCheckpoint = 0;
        if (undo != null) {
            return; // in place: the undo log, not a journal, is what a crash needs
        }
        if (entry.size() < MIN_RESUME_SIZE) {
            return;
        }
        // A background checkpoint may still be writing the reused snapshot (only on the abandon paths).
        boolean reuse = !checkpointRunning;
        long[] have = reuse ? journalHave() : new long[(blockCount + 63) / 64];
        byte[] all = reuse ? journalDigests() : new byte[digests.length];
        verifiedBlocks(have, all);
        try {
            if (durable) {
                part.file().force(false);
            }
            PartJournal.write(part.file(), entry, blockSize, have, all);
            journalWritten = true;
        } catch (IOException | RuntimeException e) {
            // the transfer goes on; only a later resume of this file would start over
        }
    }

    /**
     * {@link #checkpoint()} with the data flush on {@link #CHECKPOINTS}: the blocks verified now are listed now (their
     * bytes were written before their bits were set, so the flush that follows covers them), the flush runs without
     * the lock, and the journal is written under it afterwards, only if the file is still receiving (a verified file
     * is cut to size, a failed one is gone). The checkpoint holds the part open as a landing does, so the part is not
     * closed under the flush and {@link #verify()} waits for it. Called under the lock.
     */
    private void checkpointInBackground() {
        if (checkpointRunning) {
            checkpointPending = true; // taken when the running one ends: a stream that stalls now loses nothing
            return;
        }
        sinceCheckpoint = 0;
        if (undo != null || entry.size() < MIN_RESUME_SIZE) {
            return;
        }
        long[] have = journalHave();
        byte[] all = journalDigests();
        verifiedBlocks(have, all);
        DataFile f = part.file();
        part.beginLanding();
        checkpointRunning = true;
        try {
            CHECKPOINTS.execute(() -> {
                boolean flushed;
                try {
                    f.force(false);
                    flushed = true;
                } catch (IOException | RuntimeException e) {
                    flushed = false; // no journal this time; only a later resume would cost more
                }
                synchronized (lock) {
                    checkpointRunning = false;
                    try {
                        if (flushed && state == State.RECEIVING) {
                            PartJournal.write(f, entry, blockSize, have, all);
                            journalWritten = true;
                        }
                    } catch (IOException | RuntimeException e) {
                        // as in checkpoint()
                    } finally {
                        if (part.endLanding()) {
                            part.closeQuietly();
                        }
                        lock.notifyAll();
                    }
                    if (checkpointPending) {
                        checkpointPending = false;
                        if (state == State.RECEIVING && !part.isClosed()) {
                            checkpointInBackground(); // the blocks verified while this one flushed
                        }
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            checkpointRunning = false;
            part.endLanding();
        }
    }

    /**
     * The journal's block bitmap, cleared: one per file, reused by every checkpoint (a 4 GiB file takes sixteen),
     * which run one at a time. Under the lock.
     */
    private long[] journalHave() {
        if (journalHave == null) {
            journalHave = new long[(blockCount + 63) / 64];
        } else {
            Arrays.fill(journalHave, 0L);
        }
        return journalHave;
    }

    /** The journal's digests, zeroed: as {@link #journalHave()}. Under the lock. */
    private byte[] journalDigests() {
        if (journalDigests == null) {
            journalDigests = new byte[digests.length];
        } else {
            Arrays.fill(journalDigests, (byte) 0);
        }
        return journalDigests;
    }

    /** Fills {@code have} and {@code all} (cleared) with the blocks verified here and their digests. Under the lock. */
    private void verifiedBlocks(long[] have, byte[] all) {
        for (int i = 0; i < blockCount; i++) {
            if ((received.get(i >>> 6) & (1L << (i & 63))) != 0) {
                System.arraycopy(digests, i * 16, all, i * 16, 16);
                have[i >>> 6] |= 1L << (i & 63);
            } else if (resumed != null && resumed.has(i)) {
                System.arraycopy(resumed.digests(), i * 16, all, i * 16, 16);
                have[i >>> 6] |= 1L << (i & 63);
            } else if (basisCopy != null && (long) (i + 1) * blockSize <= basisCopy.copiedTo() && basisDigests != null
                    && FileBlocks.blockLength(basisSize, blockSize, i) == FileBlocks.blockLength(entry.size(), blockSize, i)) {
                // A block the basis copy has put here and no frame has changed: the basis's block, which an
                // interrupted delta transfer must not send again (the resume re-digests it like any other).
                System.arraycopy(basisDigests, i * 16, all, i * 16, 16);
                have[i >>> 6] |= 1L << (i & 63);
            }
        }
    }

    /**
     * The transfer was interrupted (the sender went away, the session failed): a part file with verified blocks is
     * kept with its journal, for the next send of the same file to resume; anything less is removed as by
     * {@link #fail()}.
     */
    public void interrupt() {
        synchronized (lock) {
            dropPageDigests();
            if (undo != null) {
                fail(); // in place: the old file comes back; nothing is resumed
                return;
            }
            if (state == State.VERIFIED) {
                interruptVerified();
                return;
            }
            if (state != State.RECEIVING) {
                return;
            }
            cancelCopy();
            if (part == null || entry.size() < MIN_RESUME_SIZE || (receivedCount.get() == 0 && resumed == null)) {
                fail();
                return;
            }
            checkpoint();
            state = State.FAILED;
            part.closeWhenIdle();
        }
    }

    /**
     * A verified file that was waiting for its flush and rename: all its blocks are proven, so a large one keeps its
     * part file with a journal listing every block (the next send re-digests them and moves nothing). The part had
     * the entry's mode already, which may not let the server open it again: it gets the part mode back first.
     */
    private void interruptVerified() {
        if (entry.size() < MIN_RESUME_SIZE) {
            fail();
            return;
        }
        try {
            part.file().chmod(PART_MODE);
        } catch (IOException | RuntimeException e) {
            fail(); // a part file the next send could not open is no use
            return;
        }
        checkpoint();
        state = State.FAILED;
        part.closeWhenIdle();
    }

    /** Records the sender's FILE_END; returns true when all its blocks are already here. */
    public boolean expect(long blocksSent, byte[] digest) throws DwcpException {
        if (blocksSent < 0 || blocksSent > blockCount) {
            throw DwcpException.protocol("frame=file_end reason=bad-block-count file=" + id + " blocks=" + blocksSent
                    + " max=" + blockCount);
        }
        synchronized (lock) {
            if (expectedBlocks >= 0) {
                throw DwcpException.protocol("frame=file_end reason=duplicate file=" + id);
            }
            expectedBlocks = blocksSent;
            expectedDigest = digest;
            return receivedCount.get() == expectedBlocks;
        }
    }

    private DataFile reopenParked() throws DwcpException {
        DataFile f = parked.reopen(root, partPath, PART_MODE, entry.path(), entry.size(), blockSize, digests);
        parked = null;
        return f;
    }

    /**
     * Verifies the whole-file digest and, on a match, applies mode and mtime and renames the part file into
     * place at once, flushing nothing ({@link #verify()} and {@link #renameIntoPlace()} with no flush between:
     * scratch data, or a caller that flushes by itself). Only the first caller does the work and gets true (or the
     * exception); later callers get false. On a mismatch the part file is removed.
     */
    public boolean finish() throws DwcpException {
        synchronized (lock) {
            if (!verify()) {
                return false;
            }
            if (state == State.VERIFIED) {
                renameIntoPlace();
            }
            return true;
        }
    }

    /**
     * Verifies the whole-file digest and, on a match, readies the part file for its rename: waits for the basis
     * copy and stray landings, cuts it to size and applies mode, owner and mtime through its fd, which stays open
     * ({@link State#VERIFIED}), so the caller can flush its data before {@link #renameIntoPlace()}. A file found
     * identical to the one in place is {@link State#DONE} at once (nothing to rename). Only the first caller does
     * the work and gets true (or the exception); later callers get false. On a mismatch the part file is removed.
     */
    public boolean verify() throws DwcpException {
        synchronized (lock) {
            if (state != State.RECEIVING) {
                return false;
            }
            dropPageDigests(); // every block is here: no REFINE follows
            try {
                boolean anyWritten = composeAndVerify();
                // Identical to the file at the final name only when the digests were that file's: a resumed part's
                // proven blocks are the part's own, which must still be renamed into place.
                if (!anyWritten && basisDigests != null && basisSize == entry.size() && resumed == null) {
                    identical = true;
                    if (clonedPart) {
                        awaitLandings();
                        part.closeWhenIdle();
                        part = null;
                        root.deleteQuietly(partPath); // a clone of what stays in place
                    }
                    if (metadataDiffers) {
                        applyMetadata(finalPath); // the same bytes: only what the planner saw differ is set
                    }
                    state = State.DONE;
                } else {
                    if (part == null) {
                        // parked until its FILE_END, or nothing was written (all holes): the file is its length
                        part = new PartFile(parked != null ? reopenParked() : openPart());
                    }
                    awaitLandings();
                    if (basisCopy != null) {
                        basisCopy.awaitCovered(Long.MAX_VALUE); // every unchanged block is in place
                    }
                    if (!freshPart || !lastBlockWritten || journalWritten) {
                        part.file().truncate(entry.size()); // a longer basis, a hole at the end, or a journal
                    }
                    root.setMetadata(part.file(), entry); // through the open fd: no path to resolve again
                    state = State.VERIFIED;
                }
                return true;
            } catch (DwcpException e) {
                fail();
                throw e;
            } catch (IOException e) {
                fail();
                throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=finish-failed detail=\""
                        + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + "\"");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail();
                throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=interrupted");
            }
        }
    }

    /**
     * Flushes a {@link State#VERIFIED} file's data and metadata ({@code fsync} of the part), for a caller that
     * flushes file by file; a failure fails the file. False when the file is no longer waiting (interrupted).
     */
    public boolean force() throws DwcpException {
        synchronized (lock) {
            if (state != State.VERIFIED) {
                return false;
            }
            try {
                part.file().force(true);
                return true;
            } catch (IOException e) {
                fail();
                throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=fsync-failed detail=\""
                        + e.getMessage() + "\"");
            }
        }
    }

    /**
     * Closes a {@link State#VERIFIED} part file and renames it to the final name: {@link State#DONE}. False when the
     * file is no longer waiting (the session was interrupted meanwhile); a failed rename fails the file and throws.
     */
    public boolean renameIntoPlace() throws DwcpException {
        return renameIntoPlace(null);
    }

    /**
     * As {@link #renameIntoPlace()}, through {@code parent} when it is this file's directory held open (a commit's
     * run of files in one directory resolves it once), or through the root when it is null.
     */
    public boolean renameIntoPlace(ConfinedDirectory parent) throws DwcpException {
        synchronized (lock) {
            if (state != State.VERIFIED) {
                return false;
            }
            part.closeQuietly();
            try {
                if (undo != null) {
                    undo.commit();
                    undo = null;
                } else if (parent != null) {
                    root.rename(parent, partPath.substring(partPath.lastIndexOf('/') + 1),
                            finalPath.substring(finalPath.lastIndexOf('/') + 1), entry.path());
                } else {
                    root.rename(partPath, finalPath, entry.path());
                }
            } catch (DwcpException e) {
                fail();
                throw e;
            }
            state = State.DONE;
            return true;
        }
    }

    /** Directory {@code dir} (this file's) held open for renames, or null when it cannot be (then renamed by path). */
    public ConfinedDirectory openDirectory(String dir) {
        try {
            return root.openDirectory(dir, entry.path());
        } catch (DwcpException e) {
            return null; // the rename by path says what is wrong, file by file
        }
    }

    /** Composes the whole-file digest and compares it; returns whether any block was written. */
    private boolean composeAndVerify() throws DwcpException {
        // Every block received (a new file): the received digests are the list, with nothing to merge or copy.
        boolean allReceived = receivedCount.get() == blockCount;
        byte[] composed = allReceived ? digests : new byte[digests.length];
        boolean anyWritten = allReceived && blockCount > 0;
        for (int i = 0; i < blockCount && !allReceived; i++) {
            if ((received.get(i >>> 6) & (1L << (i & 63))) != 0) {
                System.arraycopy(digests, i * 16, composed, i * 16, 16);
                anyWritten = true;
            } else if (basisDigests != null && (long) i * blockSize < basisSize
                    && FileBlocks.blockLength(basisSize, blockSize, i) == FileBlocks.blockLength(entry.size(), blockSize, i)) {
                System.arraycopy(basisDigests, i * 16, composed, i * 16, 16);
            } else {
                throw new DwcpException(ErrorCode.VERIFY, "path=\"" + entry.path() + "\" reason=missing-block index=" + i);
            }
        }
        byte[] fileDigest = BlockDigests.fileDigest(composed, blockCount, entry.size());
        if (!java.util.Arrays.equals(fileDigest, expectedDigest)) {
            throw new DwcpException(ErrorCode.VERIFY, "path=\"" + entry.path() + "\" reason=digest-mismatch got="
                    + BlockDigests.hex(fileDigest) + " want=" + BlockDigests.hex(expectedDigest));
        }
        return anyWritten;
    }

    /**
     * Every block is verified, so a landing still in flight can only be a stray duplicate; it must end before the
     * rename, or its bytes would land under the final name.
     */
    private void awaitLandings() throws InterruptedException {
        while (part.landingInFlight()) {
            lock.wait();
        }
    }

    /** Abandons the file: removes the part file (closed once no landing is in flight). The final name is untouched. */
    /**
     * Fails the file if it is still receiving, and says whether this call did: of several threads that could not
     * store its blocks, one reports it.
     */
    public boolean failWhileReceiving() {
        synchronized (lock) {
            if (state != State.RECEIVING) {
                return false;
            }
            fail();
            return true;
        }
    }

    public void fail() {
        synchronized (lock) {
            dropPageDigests();
            if (state == State.DONE) {
                return;
            }
            state = State.FAILED;
            cancelCopy();
            if (undo != null) {
                undo.rollBack();
                undo = null;
                return;
            }
            if (part != null) {
                part.closeWhenIdle();
            }
            if (part != null || parked != null) {
                root.deleteQuietly(partPath);
            }
        }
    }

    /**
     * A new, empty part file; over a basis it starts as a copy of the part of the basis the new file can use, so
     * unchanged blocks need not travel. A leftover part file (or anything else under the reserved name, a planted
     * link too) is ours to replace.
     */
    private DataFile openPart() throws DwcpException {
        if (inPlace()) {
            return openInPlace();
        }
        if (resumed != null) {
            return root.openPart(partPath, PART_MODE, entry.path()); // its proven blocks are the basis, in place
        }
        DataFile f = root.createExclusive(partPath, PART_MODE, entry.path());
        if (!freshPart) {
            try {
                basisCopy = BasisCopy.start(f, root.openRead(finalPath, entry.path()), Math.min(basisSize, entry.size()),
                        entry.path(), basis == null ? null : basis.seen());
            } catch (DwcpException e) {
                try {
                    f.close();
                } catch (IOException ignored) {
                    // reporting the copy's failure
                }
                root.deleteQuietly(partPath);
                throw e;
            }
        }
        return f;
    }

    /** The file at the final name, open for writing through a new undo log under the part name. */
    private DataFile openInPlace() throws DwcpException {
        undo = InPlaceChange.begin(root, finalPath, partPath, entry.path(), PART_MODE, basisSize, inPlaceMtime, blockSize,
                durable);
        return undo.file();
    }

    /**
     * Reads basis block bytes at {@code offset} into {@code into[0, length)} for a page frame, from the part file
     * (the caller holds a landing there, so the basis copy has passed it). Returns true: the part holds the basis,
     * so only the frame's pages need writing.
     */
    public boolean readBasis(long offset, MemorySegment into, int length) throws DwcpException {
        DataFile from;
        synchronized (lock) {
            if (state != State.RECEIVING || part == null) {
                throw notReceiving();
            }
            // In place, straight from the file: a basis block is never among the writes waiting for the log.
            from = undo != null ? undo.target() : part.file();
        }
        try {
            int done = from.readAtMost(into, 0, length, offset);
            if (done < length) {
                throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=basis-block-short offset="
                        + (offset + done));
            }
        } catch (DwcpException e) {
            throw e;
        } catch (IOException e) {
            throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=basis-read-failed detail=\""
                    + e.getMessage() + "\"");
        }
        return true;
    }

    /** Stops a basis copy still under way (the file failed or was interrupted); under the lock. */
    private void cancelCopy() {
        if (basisCopy != null) {
            basisCopy.cancel();
        }
    }

    /**
     * A write that failed because the file was finished or abandoned meanwhile says so; anything else is a real
     * write failure.
     */
    private DwcpException writeFailed(IOException e) {
        synchronized (lock) {
            if (state != State.RECEIVING) {
                return notReceiving();
            }
        }
        return new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=write-failed detail=\""
                + e.getMessage() + "\"", e); // the cause tells StoreFailures whose failure it is
    }

    private DwcpException notReceiving() {
        return new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=file-"
                + state.name().toLowerCase(java.util.Locale.ROOT));
    }

    private void applyMetadata(String path) throws DwcpException {
        root.setMetadata(path, entry, false, entry.path());
    }
}
