package io.dwcp.engine.receive.data;

import io.dwcp.core.DwcpException;
import io.dwcp.core.digest.PageSums;
import io.dwcp.core.ErrorCode;
import io.dwcp.engine.runtime.EngineRuntime;
import io.dwcp.zerocopy.DataFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * What the data plane needs of a receiving session. The data package owns this interface and the session
 * package implements it, so data streams never depend on how sessions are run.
 */
public interface DataSession {
    /** The block size agreed in the PLAN; 0 before it. */
    int blockSize();

    /** Streams granted to the transfer. */
    int streams();

    /**
     * When the session last saw activity on any of its connections ({@link System#nanoTime()}): a data stream that
     * carries nothing for a while (a tree of empty files, a long basis digest) is idle only if the session is.
     */
    long lastActivityNanos();

    /** A data stream joined; false when the session ended or has all its streams. */
    boolean attach(AutoCloseable stream);

    /** The session's verifying and storing stage, created with its first stream from the runtime's slabs. */
    BlockPipeline pipeline(EngineRuntime runtime) throws IOException;

    /** Checks a frame's file, offset and length before its payload is read. */
    void checkBlock(int fileId, long offset, int length) throws DwcpException;

    /**
     * True when {@code fileId} has failed (the sender gave it up mid-way, or storing it failed here): its frames
     * still on the way are read and dropped, and the session goes on with its other files.
     */
    boolean dropsBlocksOf(int fileId);

    /**
     * A block of {@code fileId} could not be stored: true when that is the file's failure alone (its part file
     * could not be opened for a reason of its path), which then fails by name while the session goes on; false when
     * it ends the session.
     */
    boolean failedToStore(int fileId, DwcpException e);

    /** A CRC-verified block: {@code block[0, length)}. */
    void onBlock(int fileId, long offset, MemorySegment block, int length, boolean allZero, int wireLength)
            throws DwcpException;

    /**
     * The part file of {@code fileId}, for a stream about to splice a RAW payload into it at {@code offset}; always
     * paired with {@link #endLanding}.
     */
    DataFile beginLanding(int fileId, long offset, int length) throws DwcpException;

    void endLanding(int fileId);

    /**
     * Checks that a page frame's basis digest names the basis block the receiver planned with at {@code offset}
     * (and that it has one there, of the block's length); called while the block's landing is held.
     */
    void checkBasis(int fileId, long offset, byte[] basisDigest) throws DwcpException;

    /**
     * Reads the basis block at {@code offset} into {@code into[0, length)} while the block's landing is held; true
     * when the part file already holds the basis there (write only what changed), false to write the whole block.
     */
    boolean readBasis(int fileId, long offset, MemorySegment into, int length) throws DwcpException;

    /**
     * The page sums a page frame for the block at {@code offset} may be checked and digested from instead of reading
     * the block back, or null (see {@code IncomingFile.sumsFor}); while the block's landing is held.
     */
    PageSums pageSums(int fileId, long offset, int length) throws DwcpException;

    /**
     * A page frame's block landed (its changed pages written) and passed the CRC check made from its page sums;
     * {@code digest[0, 16)} is its block digest, made the same way.
     */
    void onDerivedBlock(int fileId, long offset, byte[] digest, int length, int wireLength) throws DwcpException;

    /** Reads {@code length} landed bytes at {@code offset} of {@code fileId}'s part file into {@code into}. */
    void readBack(int fileId, long offset, MemorySegment into, int length) throws DwcpException;

    /** A landed block whose bytes, read back into {@code verified[0, length)}, passed the CRC check. */
    void onLandedBlock(int fileId, long offset, MemorySegment verified, int length, int wireLength) throws DwcpException;

    /** A block whose CRC did not match: not stored, the sender is asked again. */
    void onBadBlock(int fileId, long offset, String reason) throws DwcpException;

    /**
     * A data-plane thread (a stream, the storing stage) is done with the session; {@code heapAllocBytes} is
     * what it allocated on the heap meanwhile. Attaching counted it in.
     */
    void detach(long heapAllocBytes);

    /** Ends the session with an error. */
    void abort(ErrorCode code, String message);
}
