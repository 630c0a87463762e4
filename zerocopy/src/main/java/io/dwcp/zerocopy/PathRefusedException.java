package io.dwcp.zerocopy;

import java.io.IOException;

/**
 * A path from the network was refused by {@link ConfinedRoot}: it is absolute, has a {@code ..} component, goes
 * through a symlink, or otherwise would resolve outside the root.
 */
public class PathRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why a path was refused; the lower-case name appears in the message. */
    public enum Reason {
        EMPTY, ABSOLUTE, DOT_DOT, NUL, SYMLINK_IN_PATH, ESCAPES_ROOT, NOT_A_DIRECTORY;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private final String path;
    private final Reason reason;

    public PathRefusedException(String path, Reason reason) {
        super("path=\"" + quote(path) + "\" reason=" + reason.label());
        this.path = path;
        this.reason = reason;
    }

    /** Paths come from the network: escape what could forge a log line or break the quoting. */
    static String quote(String path) {
        StringBuilder b = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f) {
                b.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    public String path() {
        return path;
    }

    public Reason reason() {
        return reason;
    }
}
