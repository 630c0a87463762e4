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

    /**
     * Throws a PATH error naming {@code path} unless it is an acceptable relative path. One pass over the chars,
     * nothing allocated: both ends check every entry of a tree.
     */
    public static String check(String path, int maxBytes) throws DwcpException {
        int n = path.length();
        if (n == 0) {
            throw refused(path, "empty");
        }
        // Found in one pass, reported in the order of precedence: length, absolute, characters, components.
        int total = 0;
        boolean badCharacter = false;
        String component = null;
        int start = 0;
        int nameBytes = 0;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? path.charAt(i) : '/';
            if (c == '/') {
                if (component == null) {
                    component = componentProblem(path, start, i, nameBytes);
                }
                start = i + 1;
                nameBytes = 0;
                total += i < n ? 1 : 0;
                continue;
            }
            badCharacter |= c == '\0' || c == '\\';
            int b = utf8Length(path, i, c);
            if (b == 4) {
                i++; // the low surrogate of the pair
            }
            nameBytes += b;
            total += b;
        }
        if (total > maxBytes) {
            throw refused(path, "too-long");
        }
        if (path.charAt(0) == '/') {
            throw refused(path, "absolute");
        }
        if (badCharacter) {
            throw refused(path, "bad-character");
        }
        if (component != null) {
            throw refused(path, component);
        }
        return path;
    }

    /** UTF-8 bytes of the char at {@code i} (4 for a surrogate pair, 1 for a lone surrogate: encoded as '?'). */
    private static int utf8Length(String s, int i, char c) {
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800) {
            return 2;
        }
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            return 4;
        }
        return Character.isSurrogate(c) ? 1 : 3;
    }

    /** What is wrong with the component {@code path[from, to)} of {@code bytes} UTF-8 bytes, or null. */
    private static String componentProblem(String path, int from, int to, int bytes) {
        int len = to - from;
        if (len == 0 || (len == 1 && path.charAt(from) == '.')) {
            return "empty-component";
        }
        if (len == 2 && path.charAt(from) == '.' && path.charAt(from + 1) == '.') {
            return "parent-component";
        }
        if (bytes > Limits.MAX_NAME_BYTES) {
            return "name-too-long";
        }
        if (len >= PART_SUFFIX.length() && path.startsWith(PART_SUFFIX, to - PART_SUFFIX.length())) {
            return "reserved-suffix suffix=" + PART_SUFFIX;
        }
        return null;
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
