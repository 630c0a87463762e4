package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A connected pair of data sockets over loopback, opened through one {@link IoPaths}. */
record Loopback(DataSocket client, DataSocket server) implements AutoCloseable {
    static Loopback open(IoPaths paths) throws IOException {
        return open(paths, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    static Loopback open(IoPaths paths, InetSocketAddress at) throws IOException {
        try (DataListener l = paths.listen(at, 4)) {
            DataSocket c = paths.connect(l.localAddress(), 5000);
            return new Loopback(c, l.accept());
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
        server.close();
    }
}
