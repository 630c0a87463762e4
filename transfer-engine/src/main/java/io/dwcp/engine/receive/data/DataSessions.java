package io.dwcp.engine.receive.data;

/** Finds the session a data stream joins, by the id from its JOIN. */
@FunctionalInterface
public interface DataSessions {
    /** The live session with this id, or null. */
    DataSession find(byte[] sessionId);
}
