package io.dwcp.core.manifest;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import java.nio.charset.StandardCharsets;

/**
 * The one rule for paths that cross the network: relative, '/'-separated, no empty, "." or ".." component,
 * no NUL or backslash, bounded in length. Both ends apply it; the receiver then resolves the path below its
 * root without following symlinks.
 */
public final class RelativePaths {
    /**
     * Suffix of the receiver's partial files ({@code NAME.dwcp-part}). Reserved: a path ending in it is refused,
     * so a received file can never collide with another file's part file, and anything with this suffix
     * below a server root is the server's own.
     */
    public static final String PART_SUFFIX = ".dwcp-part";

    private RelativePaths() {
    }

    /** Throws a PATH error naming {@code path} unless it is an acceptable relative path. */
    public static String check(String path, int maxBytes) throws DwcpException {
        if (path.isEmpty()) {
            throw refused(path, "empty");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw refused(path, "too-long");
        }
        if (path.startsWith("/")) {
            throw refused(path, "absolute");
        }
        if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            throw refused(path, "bad-character");
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                throw refused(path, "empty-component");
            }
            if (part.equals("..")) {
                throw refused(path, "parent-component");
            }
            if (part.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_NAME_BYTES) {
                throw refused(path, "name-too-long");
            }
            if (part.endsWith(PART_SUFFIX)) {
                throw refused(path, "reserved-suffix suffix=" + PART_SUFFIX);
            }
        }
        return path;
    }

    /**
     * Checks a symlink target as data: any text a link can hold (absolute, dangling, leaving the tree), bounded,
     * without NUL. The receiver stores it verbatim and never follows a link, so the target is not a path it uses.
     */
    public static String checkSymlinkTarget(String linkPath, String target, int maxBytes) throws DwcpException {
        if (target.isEmpty() || target.indexOf('\0') >= 0 || target.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw refused(linkPath, "bad-link-target target=" + quote(target));
        }
        return target;
    }

    /**
     * True when a link at {@code linkPath} (below the transferred tree) holding {@code target} could lead out of
     * the tree: an absolute target, or more ".." components than the link has directories above it at any point
     * (rsync's {@code --safe-links} rule).
     */
    public static boolean leavesTree(String linkPath, String target) {
        if (target.startsWith("/")) {
            return true;
        }
        int depth = 0;
        for (int i = 0; i < linkPath.length(); i++) {
            if (linkPath.charAt(i) == '/') {
                depth++;
            }
        }
        int start = 0;
        while (start <= target.length()) {
            int end = target.indexOf('/', start);
            if (end < 0) {
                end = target.length();
            }
            String part = target.substring(start, end);
            if (part.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
            start = end + 1;
        }
        return false;
    }

    public static DwcpException refused(String path, String reason) {
        return new DwcpException(ErrorCode.PATH, "path=" + quote(path) + " reason=" + reason);
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\0", "\\0") + '"';
    }
}
