package io.dwcp.engine.send;

import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.message.Message;
import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import java.io.IOException;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.FileStat;
import io.dwcp.zerocopy.select.IoPaths;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One file being sent: its plan, the digests of the blocks read so far, and how many blocks have been
 * handled (sent or found unchanged). The last stream to handle a block composes the whole-file digest.
 *
 * <p>The file ({@link DataFile} from {@link IoPaths#openSource}, so {@code sendfile} can take its fd) stays open
 * while blocks are due; each stream reads its blocks into its own buffer ({@link #read}). It is closed when the
 * last block has been handled, and opened again if the receiver asks for a block once more.
 */
final class OutgoingFile {
    final int id;
    final Entry entry;
    final Path source;
    final int blockSize;
    final int blockCount;
    final byte[] digests;
    private final byte[] basisDigests;
    private final long basisSize;
    /** The plan is a RESUMED one: its digests are the receiver's part file's, zero where it lacks a block. */
    private final boolean resumed;
    private final AtomicInteger handled = new AtomicInteger();
    private final AtomicInteger sent = new AtomicInteger();
    private final Opener io;
    private final java.util.concurrent.atomic.AtomicBoolean abandoned = new java.util.concurrent.atomic.AtomicBoolean();
    /** Changed blocks may be refined to pages; cleared once refining stops paying for this file. */
    private volatile boolean refine;
    /** The receiver's FILE_DONE came: nothing more of this file is sent or answered. */
    private volatile boolean ended;
    private final AtomicInteger refinedBlocks = new AtomicInteger();
    private final AtomicInteger deferredBlocks = new AtomicInteger();
    private final AtomicInteger refinedPagesSent = new AtomicInteger();
    private final AtomicInteger refinedPages = new AtomicInteger();
    private DataFile file;
    private int users;
    private boolean retired;

    /** Refined blocks looked at before judging whether refining pays for a file. */
    static final int REFINE_PROBATION = 8;

    /** Opens a source file for reading: {@link IoPaths#openSource}, from a data plane that may start after the plan. */
    @FunctionalInterface
    interface Opener {
        DataFile open(Path source) throws IOException;
    }

    OutgoingFile(int id, Entry entry, Path source, int blockSize, Message.FilePlan plan, Opener io, boolean delta) {
        this(id, entry, source, blockSize, plan, io, delta, null);
    }

    /** @param ahead its blocks as {@link DigestAhead} digests them, or null */
    OutgoingFile(int id, Entry entry, Path source, int blockSize, Message.FilePlan plan, Opener io, boolean delta,
                 DigestAhead.Digested ahead) {
        this.id = id;
        this.io = io;
        this.entry = entry;
        this.source = source;
        this.blockSize = blockSize;
        this.blockCount = FileBlocks.blockCount(entry.size(), blockSize);
        this.ahead = ahead;
        this.digests = ahead != null ? ahead.digests : new byte[blockCount * BlockDigests.DIGEST_LENGTH];
        boolean basis = plan.action() == Message.FilePlan.BASIS;
        this.basisDigests = basis ? plan.blockDigests() : null;
        this.basisSize = basis ? plan.basisSize() : 0;
        // A resumed file refines against the part file's proven blocks (received ones match, the rest are the
        // basis copy's): the receiver reads their pages from the part.
        this.resumed = (plan.changes() & Message.FilePlan.RESUMED) != 0;
        this.refine = basis && delta;
        this.refineAllowed = refine;
    }

    /**
     * True when changed block {@code block} should be refined to pages: the receiver's basis has a block of the same
     * length there, and refining has not proven useless for this file (most pages of the blocks refined so far had
     * changed: the round trip then buys nothing). A resumed file's block that its part file lacks (an all-zero digest
     * in the plan) has nothing to refine against and goes whole.
     */
    boolean refinable(int block) {
        return refine && offset(block) < basisSize && FileBlocks.blockLength(basisSize, blockSize, block) == length(block)
                && !(resumed && unproven(block));
    }

    private boolean unproven(int block) {
        int at = block * BlockDigests.DIGEST_LENGTH;
        for (int i = at; i < at + BlockDigests.DIGEST_LENGTH; i++) {
            if (basisDigests[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Blocks digested by {@link DigestAhead} (from block 0; its digests are this file's {@link #digests}); null when
     * the file is not digested ahead.
     */
    private final DigestAhead.Digested ahead;

    /**
     * True when block {@code block}'s digests come from {@link DigestAhead}, once it has them (this waits for them);
     * false when they do not, and the block is read and digested by its stream.
     */
    boolean digestedAhead(int block) throws InterruptedException {
        return ahead != null && basisDigests != null && ahead.await(block);
    }

    /** The page digests of a block digested ahead, at {@link #aheadPagesAt}. */
    byte[] aheadPages() {
        return ahead.pages();
    }

    int aheadPagesAt(int block) {
        return ahead.pagesAt(block);
    }

    /** The CRC32C of a block digested ahead. */
    int aheadCrc(int block) {
        return ahead.crc(block);
    }

    /** OLD ({@code --base}) when the receiver's copy proved to be it: changed blocks go as XOR deltas. */
    private volatile SenderBasis xorBase;
    /** Refining was allowed at the plan: what a file whose base proved wrong falls back to. */
    private final boolean refineAllowed;
    private final java.util.concurrent.atomic.AtomicBoolean baseWrong = new java.util.concurrent.atomic.AtomicBoolean();

    /** The receiver's copy is {@code base}: changed blocks go as XOR deltas against it, not refined to pages. */
    void xorAgainst(SenderBasis base) {
        xorBase = base;
        refine = false;
    }

    /**
     * A block of the receiver's copy proved not to be OLD's: the rest of the file is refined against the receiver's
     * copy instead. True for the one caller that found it first (it warns).
     */
    boolean baseMismatch() {
        xorBase = null;
        refine = refineAllowed;
        return baseWrong.compareAndSet(false, true);
    }

    /** OLD when changed block {@code block} (of {@code length} bytes) goes as an XOR delta; else null. */
    SenderBasis xorBase(int block, int length) {
        SenderBasis b = xorBase;
        return b != null && b.has(block, length) ? b : null;
    }

    /** The receiver's verdict came (FILE_DONE): refined blocks still asked for will not be answered. */
    void ended() {
        ended = true;
        refine = false;
    }

    boolean isEnded() {
        return ended;
    }

    /** A changed block was handed to the refiner. */
    void deferred() {
        deferredBlocks.incrementAndGet();
    }

    /**
     * True while the blocks on probation are all asked for and not all answered: whether refining pays for this
     * file is not known yet, and more blocks should not be asked for until it is.
     */
    boolean awaitingVerdict() {
        return refine && deferredBlocks.get() >= REFINE_PROBATION && refinedBlocks.get() < REFINE_PROBATION
                && !abandoned.get() && !ended;
    }

    /** A refined block went with {@code sent} of its {@code pages} pages. */
    void refined(int sent, int pages) {
        int n = refinedBlocks.incrementAndGet();
        int s = refinedPagesSent.addAndGet(sent);
        int p = refinedPages.addAndGet(pages);
        if (n >= REFINE_PROBATION && 2L * s > p) {
            refine = false;
        }
    }

    /** The receiver's digest of its basis block {@code block}, at {@link #basisDigestAt}. */
    byte[] basisDigests() {
        return basisDigests;
    }

    int basisDigestAt(int block) {
        return block * BlockDigests.DIGEST_LENGTH;
    }

    long offset(int block) {
        return (long) block * blockSize;
    }

    int length(int block) {
        return FileBlocks.blockLength(entry.size(), blockSize, block);
    }

    /** True when the receiver's basis has this block with the same length and digest. */
    boolean unchanged(int block) {
        return basisDigests != null
                && offset(block) < basisSize
                && FileBlocks.blockLength(basisSize, blockSize, block) == length(block)
                && (block + 1) * BlockDigests.DIGEST_LENGTH <= basisDigests.length
                && BlockDigests.equalAt(digests, block, basisDigests, block);
    }

    /**
     * Reads block {@code index} into {@code into[at..]} with positional reads and returns its length. The caller
     * holds the file ({@link #acquire()}).
     *
     * <p>Read, not mapped: the digest, the CRC and LZ4 then run over memory this process owns. Over a mapping, a
     * file truncated by someone else turns the next touch of a vanished page into SIGBUS; the JDK turns that
     * into an {@code InternalError} for its own unsafe accesses (Xxh3, the zero scan), but the CRC32C intrinsic
     * and LZ4's native code take the process down (tried: a mapped 64 MiB file truncated to 0, then
     * {@code CRC32C.update} on the mapping: "SIGBUS ... A fatal error has been detected"). A size check before
     * each block cannot close that window. A short read here is a clean {@code source-changed-during-transfer}.
     */
    int read(DataFile file, int index, MemorySegment into, long at) throws IOException {
        int length = length(index);
        long position = offset(index);
        int done = file.readAtMost(into, at, length, position);
        if (done < length) {
            throw shrank(position + done);
        }
        return length;
    }

    /** The clean error for a source that ended before {@code offset}, where the offer said it would not. */
    SourceChangedException shrank(long offset) {
        return new SourceChangedException("path=\"" + entry.path()
                + "\" reason=source-changed-during-transfer detail=shrank offset=" + offset);
    }

    /** The clean error for a source that is no longer a regular file: {@code now} names what it became. */
    private DwcpException typeChanged(String now) {
        return new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=source-changed-type now=" + now);
    }

    /** The clean error for a block at {@code offset} whose bytes changed since they were first read. */
    SourceChangedException changed(long offset) {
        return new SourceChangedException("path=\"" + entry.path()
                + "\" reason=source-changed-during-transfer detail=rewritten offset=" + offset);
    }

    /**
     * Opens the file on first use (and again for a retry after {@link #retire()}) and counts the user; every
     * call is paired with {@link #release()}. The file stays open while any stream reads or sends from it.
     */
    synchronized DataFile acquire() throws IOException {
        if (file == null) {
            DataFile f;
            try {
                f = io.open(source);
            } catch (IOException e) {
                // The walk saw a file: a link put there since is not followed, nor is anything else opened for it.
                if (Files.isSymbolicLink(source)) {
                    throw typeChanged("symlink");
                }
                if (Files.exists(source, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                    throw typeChanged(Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS) ? "directory" : "special");
                }
                throw e;
            }
            FileStat st;
            try {
                st = f.stat();
            } catch (IOException e) {
                f.close();
                throw e;
            }
            if (!st.isRegularFile()) {
                f.close();
                throw typeChanged(st.typeName());
            }
            long size = st.size();
            if (size != entry.size()) {
                f.close();
                throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=source-changed-size was="
                        + entry.size() + " now=" + size);
            }
            file = f;
            retired = false;
        }
        users++;
        return file;
    }

    synchronized void release() {
        if (--users == 0 && retired) {
            close();
        }
    }

    /** No more blocks are due (a late retry opens the file again); closes once no reader is inside. */
    synchronized void retire() {
        retired = true;
        if (users == 0) {
            close();
        }
    }

    private void close() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // opened read-only: nothing to flush, nothing lost
            }
            file = null;
        }
    }

    /** Records a handled block; returns true for the call that handled the file's last block. */
    boolean handled(boolean wasSent) {
        if (wasSent) {
            sent.incrementAndGet();
        }
        return handled.incrementAndGet() == blockCount;
    }

    /** Gives the file up (it vanished or changed while read); true for the one caller that did. */
    boolean abandon() {
        return abandoned.compareAndSet(false, true);
    }

    boolean abandoned() {
        return abandoned.get();
    }

    int sentBlocks() {
        return sent.get();
    }

    byte[] fileDigest() {
        return BlockDigests.fileDigest(digests, blockCount, entry.size());
    }
}
