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
        if (path.isEmpty()) {
            throw new PathRefusedException(path, PathRefusedException.Reason.EMPTY);
        }
        if (path.charAt(0) == '/') {
            throw new PathRefusedException(path, PathRefusedException.Reason.ABSOLUTE);
        }
        if (path.indexOf('\0') >= 0) {
            throw new PathRefusedException(path, PathRefusedException.Reason.NUL);
        }
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

    /** The components before the last, joined with {@code /}; empty for a path in the root itself. */
    public static String parentOf(String[] components) {
        return String.join("/", java.util.Arrays.asList(components).subList(0, components.length - 1));
    }
}
