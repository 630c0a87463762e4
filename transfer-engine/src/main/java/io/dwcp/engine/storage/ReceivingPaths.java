package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.manifest.RelativePaths;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Part files currently being written ({@link RelativePaths#partPath} of each final path), server-wide. Two
 * transfers never write the same path at once: the second offer naming a claimed path is refused, so part files are
 * never shared and no file can end up mixing blocks from two senders.
 */
public final class ReceivingPaths {
    private final Map<String, Object> owners = new ConcurrentHashMap<>();

    /**
     * Claims one path for {@code owner}; throws a PATH error when a transfer is writing it already: another one, or
     * this one (two sources merged into one directory that both hold the name), whose second file is refused by
     * name while the first goes on, since two files would share a part file.
     */
    public void claim(String path, String shown, Object owner) throws DwcpException {
        Object o = owners.putIfAbsent(path, owner);
        if (o == owner) {
            throw RelativePaths.refused(shown, "duplicate-in-transfer");
        }
        if (o != null) {
            throw RelativePaths.refused(shown, "busy-in-another-transfer");
        }
    }

    /** Releases one path {@code owner} holds (its file is finished). */
    public void release(String path, Object owner) {
        owners.remove(path, owner);
    }

    /**
     * Runs {@code action} if no transfer holds {@code path}, and keeps it unclaimed while the action runs: a claim
     * of that path meanwhile waits for it (the map's lock on the path's bin). Returns false, without running the
     * action, when a transfer holds the path. For {@link PartSweeper}: a short action (a stat and an unlink).
     */
    public boolean ifUnclaimed(String path, Runnable action) {
        boolean[] ran = {false};
        owners.compute(path, (k, o) -> {
            if (o == null) {
                action.run();
                ran[0] = true;
            }
            return o; // null stays absent: nothing is claimed
        });
        return ran[0];
    }

    /** Releases every path held by {@code owner}. */
    public void release(Object owner) {
        owners.values().removeIf(o -> o == owner);
    }
}
