package io.dwcp.engine.send;

import java.util.List;

/**
 * What a send did. {@code verified} is true only when the receiver confirmed every file's whole-file
 * digest. Exit codes: 0 done and verified, 2 transfer failed, 3 verification failed.
 *
 * @param wireBytes every byte the sender wrote to the network for this transfer, headers included
 */
public record TransferResult(int files, long bytes, long wireBytes, double seconds, boolean verified,
                             long blocksSent, long blocksUnchanged, int identicalFiles, int streams,
                             String transportError, List<String> failedFiles, List<String> skipped, int exitCode) {

    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 1;
    public static final int EXIT_FAILED = 2;
    public static final int EXIT_VERIFY = 3;
}
