package io.dwcp.engine.send;

import io.dwcp.zerocopy.ZeroCopyStats;
import java.util.List;

/**
 * What a send did. {@code verified} is true only when the receiver confirmed every file's whole-file
 * digest. Exit codes: 0 done and verified, 2 transfer failed, 3 verification failed.
 *
 * @param wireBytes every byte the sender wrote to the network for this transfer, headers included
 * @param ioPath    the sender's I/O path ({@code io_path=sendfile+splice+msg_zerocopy confine=openat2}, or
 *                  {@code io_path=portable reason=forced}); empty when the transfer ended before choosing one
 * @param zeroCopy  MSG_ZEROCOPY counters summed over the streams (LZ4 frames only; RAW goes by sendfile)
 */
public record TransferResult(int files, long bytes, long wireBytes, double seconds, boolean verified,
                             long blocksSent, long blocksUnchanged, int identicalFiles, int streams,
                             String transportError, List<String> failedFiles, List<String> skipped, int exitCode,
                             String ioPath, ZeroCopyStats zeroCopy, TreeStats tree, DeltaStats delta) {

    /**
     * What deltas saved: changed blocks refined to pages (or sent as XOR deltas), the pages that travelled in page
     * frames, and those frames' bytes on the wire (headers included).
     */
    public record DeltaStats(long blocksRefined, long pagesSent, long deltaBytes) {
        public static final DeltaStats NONE = new DeltaStats(0, 0, 0);
    }

    /**
     * What a tree transfer did beyond the bytes: entries offered (files, directories, links...), files whose data
     * was sent, entries the receiver deleted ({@code --delete}), entries the scan left out.
     */
    public record TreeStats(long entries, long filesSent, long deleted, long skipped) {
        public static final TreeStats NONE = new TreeStats(0, 0, 0, 0);
    }

    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 1;
    public static final int EXIT_FAILED = 2;
    public static final int EXIT_VERIFY = 3;
    /** The transfer ran to its end, but some entries failed or could not be read (named in the result). */
    public static final int EXIT_PARTIAL = 4;
}
