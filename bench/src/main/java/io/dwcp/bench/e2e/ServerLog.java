package io.dwcp.bench.e2e;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the dwcp server's log (its stderr). Per finished session the server logs the heap bytes its data-plane
 * threads allocated as {@code data_heap_alloc_bytes=N} on the session-end line; older servers do not.
 */
final class ServerLog {
    private static final Pattern HEAP = Pattern.compile("\\bdata_heap_alloc_bytes=(\\d+)");

    private ServerLog() {}

    /** The sum of data_heap_alloc_bytes over the session-end lines of a log excerpt; empty when none has it. */
    static OptionalLong heapAllocBytes(String logText) {
        long sum = 0;
        boolean found = false;
        for (String line : logText.split("\n")) {
            if (!isSessionEnd(line)) {
                continue;
            }
            Matcher m = HEAP.matcher(line);
            while (m.find()) {
                sum += Long.parseLong(m.group(1));
                found = true;
            }
        }
        return found ? OptionalLong.of(sum) : OptionalLong.empty();
    }

    /** Session-end lines name the session and say how it ended ("done" or "aborted"). */
    static boolean isSessionEnd(String line) {
        return line.contains("session=") && (line.contains(" done") || line.contains(" aborted") || line.contains(" end"));
    }
}
