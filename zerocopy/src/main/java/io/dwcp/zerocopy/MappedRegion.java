package io.dwcp.zerocopy;

import java.lang.foreign.MemorySegment;

/** A file range mapped into memory; {@link #close()} unmaps it, after which the segment is dead. */
public interface MappedRegion extends AutoCloseable {
    /** Access-pattern hints (madvise); ignored where the platform has none. */
    enum Advice { NORMAL, SEQUENTIAL, RANDOM, WILL_NEED, DONT_NEED }

    /** The mapped bytes, exactly the requested range. */
    MemorySegment segment();

    /** Best-effort hint for the whole region. */
    void advise(Advice advice);

    /** Unmaps; idempotent. */
    @Override
    void close();
}
