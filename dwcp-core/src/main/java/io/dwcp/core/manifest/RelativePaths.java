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
     * Checks a symlink target: relative, of the form {@code ../../name/name} (all ".." first, then plain
     * names), and, resolved from the link's directory, inside the transferred tree. Because the receiver
     * creates links only in real directories and every link it creates obeys this rule, following any chain
     * of such links never leaves the tree.
     */
    public static String checkLinkTarget(String linkPath, String target, int maxBytes) throws DwcpException {
        if (target.isEmpty() || target.startsWith("/") || target.indexOf('\0') >= 0 || target.indexOf('\\') >= 0
                || target.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw refused(linkPath, "link-target-not-relative target=" + quote(target));
        }
        int depth = linkPath.split("/").length - 1;
        boolean names = false;
        for (String part : target.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                throw refused(linkPath, "link-target-empty-component target=" + quote(target));
            }
            if (part.equals("..")) {
                if (names) {
                    throw refused(linkPath, "link-target-parent-after-name target=" + quote(target));
                }
                if (--depth < 0) {
                    throw refused(linkPath, "link-target-escapes target=" + quote(target));
                }
            } else {
                names = true;
            }
        }
        return target;
    }

    public static DwcpException refused(String path, String reason) {
        return new DwcpException(ErrorCode.PATH, "path=" + quote(path) + " reason=" + reason);
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\0", "\\0") + '"';
    }
}
