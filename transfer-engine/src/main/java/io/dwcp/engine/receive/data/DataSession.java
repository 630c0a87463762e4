package io.dwcp.engine.receive.data;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import java.nio.ByteBuffer;

/**
 * What the data plane needs of a receiving session. The data package owns this interface and the session
 * package implements it, so data streams never depend on how sessions are run.
 */
public interface DataSession {
    /** The block size agreed in the PLAN; 0 before it. */
    int blockSize();

    /** Streams granted to the transfer. */
    int streams();

    /** A data stream joined; false when the session ended or has all its streams. */
    boolean attach(AutoCloseable stream);

    /** The session's storing stage, created with its first stream. */
    BlockPipeline pipeline() throws DwcpException;

    /** Checks a frame's file, offset and length before its payload is read. */
    void checkBlock(int fileId, long offset, int length) throws DwcpException;

    /** A CRC-verified block. */
    void onBlock(int fileId, long offset, ByteBuffer block, boolean allZero, int wireLength) throws DwcpException;

    /** A block whose CRC did not match: not stored, the sender is asked again. */
    void onBadBlock(int fileId, long offset, String reason) throws DwcpException;

    /** Ends the session with an error. */
    void abort(ErrorCode code, String message);
}
