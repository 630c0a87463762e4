package io.dwcp.zerocopy;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;

/** A listening data-plane socket; {@link #close()} from another thread wakes a blocked {@link #accept()}. */
public interface DataListener extends Closeable {
    /** Blocks for the next connection. */
    DataSocket accept() throws IOException;

    /** The bound address (with the real port when bound to port 0). */
    InetSocketAddress localAddress() throws IOException;
}
