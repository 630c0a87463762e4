package io.dwcp.zerocopy;

import java.util.ArrayList;
import java.util.List;

/**
 * The syntactic half of confinement, shared by every {@link ConfinedRoot}: a path from the network is split
 * into components and refused when it is absolute, empty, has a NUL or a {@code ..}. Empty and {@code .}
 * components are dropped. What the components resolve to (symlinks) is the file system's half.
 */
public final class ConfinedPaths {
    private ConfinedPaths() {
    }

    /** The components of {@code path}, at least one. */
    public static String[] split(String path) throws PathRefusedException {
        checkWhole(path);
        List<String> parts = new ArrayList<>();
        for (String c : path.split("/")) {
            if (c.equals("..")) {
                throw new PathRefusedException(path, PathRefusedException.Reason.DOT_DOT);
            }
            if (!c.isEmpty() && !c.equals(".")) {
                parts.add(c);
            }
        }
        if (parts.isEmpty()) {
            throw new PathRefusedException(path, PathRefusedException.Reason.EMPTY);
        }
        return parts.toArray(String[]::new);
    }

    /**
     * {@code path} checked as {@link #split} checks it and with its empty and {@code .} components dropped, as one
     * string: the path itself when it has none (the usual case, and then nothing is allocated), for a call such as
     * {@code openat2} that resolves a whole path.
     */
    public static String normalized(String path) throws PathRefusedException {
        checkWhole(path);
        boolean clean = true;
        int n = path.length();
        for (int start = 0; start <= n; ) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = n;
            }
            int len = end - start;
            if (len == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.') {
                throw new PathRefusedException(path, PathRefusedException.Reason.DOT_DOT);
            }
            if (len == 0 || (len == 1 && path.charAt(start) == '.')) {
                clean = false;
            }
            start = end + 1;
        }
        return clean ? path : String.join("/", split(path));
    }

    /** What refuses a path as a whole, before its components are looked at: empty, absolute, or with a NUL. */
    private static void checkWhole(String path) throws PathRefusedException {
        if (path.isEmpty()) {
            throw new PathRefusedException(path, PathRefusedException.Reason.EMPTY);
        }
        if (path.charAt(0) == '/') {
            throw new PathRefusedException(path, PathRefusedException.Reason.ABSOLUTE);
        }
        if (path.indexOf('\0') >= 0) {
            throw new PathRefusedException(path, PathRefusedException.Reason.NUL);
        }
    }

    /** The components before the last, joined with {@code /}; empty for a path in the root itself. */
    public static String parentOf(String[] components) {
        return String.join("/", java.util.Arrays.asList(components).subList(0, components.length - 1));
    }
}
