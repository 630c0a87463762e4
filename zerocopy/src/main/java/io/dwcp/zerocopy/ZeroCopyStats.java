package io.dwcp.zerocopy;

/**
 * Counters of a {@link ZeroCopySender}.
 *
 * @param zerocopySends send calls made with MSG_ZEROCOPY
 * @param completions send ids the kernel reported complete
 * @param copied of those, ids the kernel completed by copying after all (loopback always does)
 * @param switchedToCopy 1 once the sender gave up on MSG_ZEROCOPY for this socket
 */
public record ZeroCopyStats(long zerocopySends, long completions, long copied, long switchedToCopy) {
    @Override
    public String toString() {
        return "zerocopy_sends=" + zerocopySends + " completions=" + completions + " copied=" + copied
                + " switched_to_copy=" + switchedToCopy;
    }
}
