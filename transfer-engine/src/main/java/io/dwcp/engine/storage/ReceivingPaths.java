package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.manifest.RelativePaths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Final paths currently being written, server-wide. Two transfers never write the same path at once: the
 * second offer naming a claimed path is refused, so part files are never shared and no file can end up
 * mixing blocks from two senders.
 */
public final class ReceivingPaths {
    private final Map<String, Object> owners = new ConcurrentHashMap<>();

    /** Claims every path for {@code owner}, all or nothing; throws a PATH error naming a busy path. */
    public synchronized void claim(List<String> paths, List<String> shown, Object owner) throws DwcpException {
        for (int i = 0; i < paths.size(); i++) {
            Object o = owners.get(paths.get(i));
            if (o != null && o != owner) {
                throw RelativePaths.refused(shown.get(i), "busy-in-another-transfer");
            }
        }
        for (String p : paths) {
            owners.put(p, owner);
        }
    }

    /** Claims one path for {@code owner}; throws a PATH error when another transfer is writing it. */
    public void claim(String path, String shown, Object owner) throws DwcpException {
        Object o = owners.putIfAbsent(path, owner);
        if (o == owner) {
            // The same transfer writing one path twice at once: two files would share a part file.
            throw DwcpException.protocol("frame=offer reason=duplicate-path path=\"" + shown + "\"");
        }
        if (o != null) {
            throw RelativePaths.refused(shown, "busy-in-another-transfer");
        }
    }

    /** Releases one path {@code owner} holds (its file is finished). */
    public void release(String path, Object owner) {
        owners.remove(path, owner);
    }

    /** Releases every path held by {@code owner}. */
    public void release(Object owner) {
        owners.values().removeIf(o -> o == owner);
    }
}
