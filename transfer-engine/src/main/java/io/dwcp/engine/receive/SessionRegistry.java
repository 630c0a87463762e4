package io.dwcp.engine.receive;

import io.dwcp.engine.receive.data.DataSessions;
import java.util.Collection;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/** Live sessions by id, bounded by the server's session limit. */
public final class SessionRegistry implements DataSessions {
    private final ConcurrentHashMap<String, TransferSession> sessions = new ConcurrentHashMap<>();
    private final int max;

    public SessionRegistry(int max) {
        this.max = max;
    }

    /** Adds a session unless the limit is reached. */
    public synchronized boolean add(TransferSession s) {
        if (sessions.size() >= max) {
            return false;
        }
        sessions.put(key(s.id()), s);
        return true;
    }

    public void remove(TransferSession s) {
        sessions.remove(key(s.id()), s);
    }

    @Override
    public TransferSession find(byte[] id) {
        return sessions.get(key(id));
    }

    public Collection<TransferSession> all() {
        return sessions.values();
    }

    private static String key(byte[] id) {
        return HexFormat.of().formatHex(id);
    }
}
