package io.dwcp.engine.send;

import io.dwcp.zerocopy.ZeroCopyStats;
import java.util.concurrent.atomic.AtomicLong;

/** The {@link ZeroCopyStats} of a transfer's streams, summed as each stream ends. */
final class ZeroCopyCounters {
    private final AtomicLong sends = new AtomicLong();
    private final AtomicLong completions = new AtomicLong();
    private final AtomicLong copied = new AtomicLong();
    private final AtomicLong switched = new AtomicLong();

    void add(ZeroCopyStats s) {
        sends.addAndGet(s.zerocopySends());
        completions.addAndGet(s.completions());
        copied.addAndGet(s.copied());
        switched.addAndGet(s.switchedToCopy());
    }

    ZeroCopyStats snapshot() {
        return new ZeroCopyStats(sends.get(), completions.get(), copied.get(), switched.get());
    }
}
