package io.dwcp.core.manifest;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import java.nio.charset.StandardCharsets;

/**
 * The one rule for paths that cross the network: relative, '/'-separated, no empty, "." or ".." component,
 * no NUL, bounded in length. Both ends apply it; the receiver then resolves the path below its root without
 * following symlinks. A backslash is an ordinary character of a name, as on Linux (rsync keeps such names), except
 * on a platform whose own separator it is, where it is refused.
 */
public final class RelativePaths {
    /**
     * Suffix of the receiver's partial files ({@code NAME.dwcp-part}). Reserved: a path ending in it is refused,
     * so a received file can never collide with another file's part file, and anything with this suffix
     * below a server root is the server's own.
     */
    public static final String PART_SUFFIX = ".dwcp-part";
    /** A backslash separates paths here (Windows): it would let a name reach another directory. */
    private static final boolean BACKSLASH_SEPARATES = java.io.File.separatorChar == '\\';

    private RelativePaths() {
    }

    /**
     * The receiver's part file for the file at {@code finalPath} (a path below its root, '/'-separated):
     * {@code NAME.dwcp-part} beside it, or, when that would not fit a file name ({@link Limits#MAX_NAME_BYTES}: a
     * name of more than 245 bytes), the name cut at a character boundary, {@code ~} and 16 hex digits of the
     * SHA-256 of the whole name, then the suffix: still beside it, still one file's, still found again for resume.
     * The same for the same path, so claims ({@code ReceivingPaths}) are made on it: two files whose part names
     * met could never be written at once.
     */
    public static String partPath(String finalPath) {
        int slash = finalPath.lastIndexOf('/');
        int nameBytes = 0;
        for (int i = slash + 1; i < finalPath.length(); i++) {
            int b = utf8Length(finalPath, i, finalPath.charAt(i));
            i += b == 4 ? 1 : 0;
            nameBytes += b;
        }
        if (nameBytes + PART_SUFFIX.length() <= Limits.MAX_NAME_BYTES) {
            return finalPath.concat(PART_SUFFIX); // every file has one: no encoding of its name for the common case
        }
        byte[] bytes = finalPath.substring(slash + 1).getBytes(StandardCharsets.UTF_8);
        byte[] sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
        String tag = "~" + java.util.HexFormat.of().formatHex(sha, 0, 8) + PART_SUFFIX;
        int keep = Limits.MAX_NAME_BYTES - tag.length();
        while (keep > 0 && (bytes[keep] & 0xC0) == 0x80) {
            keep--; // not inside a character: the byte at keep is where the next one starts
        }
        return finalPath.substring(0, slash + 1) + new String(bytes, 0, keep, StandardCharsets.UTF_8) + tag;
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
            badCharacter |= c == '\0' || (c == '\\' && BACKSLASH_SEPARATES);
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
