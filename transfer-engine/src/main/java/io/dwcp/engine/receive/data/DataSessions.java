package io.dwcp.engine.receive.data;

/** Finds the session a data stream joins, by the id from its JOIN. */
@FunctionalInterface
public interface DataSessions {
    /** The live session with this id, or null. */
    DataSession find(byte[] sessionId);

    /**
     * The live session with this id that a stream from {@code remote} may join, or null: by default any holder of
     * the id (it is the capability); a server whose identities come from source addresses also requires the
     * stream to come from the session's own peer.
     */
    default DataSession find(byte[] sessionId, java.net.InetSocketAddress remote) {
        return find(sessionId);
    }
}
