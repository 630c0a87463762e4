package io.dwcp.zerocopy.portable;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A cached {@link ByteBuffer} view of the last segment used, repositioned per call: the JDK channels take
 * buffers, and making a new view per call would allocate on the data path. Data-plane buffers come from a
 * pool and are used again and again, so the cache nearly always hits. One per thread role (reader, writer).
 */
final class BufferView {
    private MemorySegment segment;
    private ByteBuffer view;

    ByteBuffer of(MemorySegment s, long off, int len) {
        Objects.checkFromIndexSize(off, len, s.byteSize());
        if (s != segment) {
            if (s.byteSize() > Integer.MAX_VALUE) {
                // a buffer view cannot span more than 2 GiB; such segments (big mappings) get a view per call
                return s.asSlice(off, len).asByteBuffer();
            }
            segment = s;
            view = s.asByteBuffer();
        }
        view.limit((int) (off + len)).position((int) off);
        return view;
    }
}
