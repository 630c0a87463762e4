package io.dwcp.engine.send;

import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.message.Message.FilePlan;

/**
 * rsync's {@code --itemize-changes} lines for a push ({@code YXcstpoguax path}): {@code <} a file whose data is
 * sent, {@code c} an item made or changed at the receiver without data, {@code h} a hard link, {@code .} only
 * metadata changes; {@code +++++++++} for a new item, else {@code c s t p o g} where the checksum, size, mtime,
 * permissions, owner, group or extended attributes differ (a file's checksum only under {@code --checksum}, once
 * compared). Deletions read {@code *deleting   path}.
 */
final class Itemizer {
    private Itemizer() {
    }

    /** The line for {@code e} given its PLAN line, or null when nothing about it changes. */
    static String line(Entry e, FilePlan p) {
        return line(e, p, false);
    }

    /**
     * The line for a file whose content was compared block by block ({@code --checksum}) once the receiver said
     * whether it was {@code identical}: as rsync {@code -c} shows it, only its other changes when it was (null when
     * there are none), else with {@code c}, its checksum differs.
     */
    static String compared(Entry e, FilePlan p, boolean identical) {
        return identical ? line(e, FilePlan.skip(p.fileId(), p.changes() & ~FilePlan.CONTENT), false) : line(e, p, true);
    }

    /** Whether a PLAN line sends the data of a file the receiver already has. */
    static boolean replaced(Entry e, FilePlan p) {
        return e.kind() == EntryKind.FILE && (p.action() == FilePlan.BASIS || p.action() == FilePlan.NEW)
                && (p.changes() & FilePlan.CREATED) == 0;
    }

    /** Whether a PLAN line's file is compared by content with nothing known yet about the outcome. */
    static boolean comparedLater(Entry e, FilePlan p) {
        return e.kind() == EntryKind.FILE && p.action() == FilePlan.BASIS && (p.changes() & FilePlan.SIZE) == 0;
    }

    private static String line(Entry e, FilePlan p, boolean checksumDiffers) {
        if (p.action() == FilePlan.FAILED) {
            return null;
        }
        int c = p.changes();
        boolean data = p.action() == FilePlan.NEW || p.action() == FilePlan.BASIS
                || (c & (FilePlan.CREATED | FilePlan.CONTENT)) != 0;
        char type = switch (e.kind()) {
            case FILE, HARDLINK -> 'f';
            case DIR -> 'd';
            case SYMLINK -> 'L';
            case SPECIAL -> (e.mode() & 0170000) == 0010000 || (e.mode() & 0170000) == 0140000 ? 'S' : 'D'; // rsync's
            case LISTED -> ' ';
        };
        if (c == 0 && p.action() == FilePlan.SKIP) {
            return null;
        }
        String shown = e.path().isEmpty() ? "." : e.path();
        String suffix = switch (e.kind()) {
            case DIR -> "/";
            case SYMLINK -> " -> " + e.linkTarget();
            case HARDLINK -> " => " + e.linkTarget();
            default -> "";
        };
        if ((c & FilePlan.CREATED) != 0 || e.kind() == EntryKind.HARDLINK) {
            char y = e.kind() == EntryKind.HARDLINK ? 'h' : e.kind() == EntryKind.FILE ? '<' : 'c';
            return y + String.valueOf(type) + "+++++++++ " + shown + suffix;
        }
        char y = e.kind() == EntryKind.FILE && data ? '<'
                : (c & (FilePlan.TARGET | FilePlan.CONTENT)) != 0 ? 'c' : '.';
        StringBuilder b = new StringBuilder(12 + e.path().length() + suffix.length());
        b.append(y).append(type)
                .append(checksumDiffers || (c & FilePlan.TARGET) != 0
                        || ((c & FilePlan.CONTENT) != 0 && e.kind() != EntryKind.FILE) ? 'c' : '.')
                .append(e.kind() == EntryKind.FILE && (c & FilePlan.SIZE) != 0 ? 's' : '.')
                .append((c & FilePlan.TIME) != 0 ? 't' : '.')
                .append((c & FilePlan.PERMS) != 0 ? 'p' : '.')
                .append((c & FilePlan.OWNER) != 0 ? 'o' : '.')
                .append((c & FilePlan.GROUP) != 0 ? 'g' : '.')
                .append("..")
                .append((c & FilePlan.XATTRS) != 0 ? 'x' : '.')
                .append(' ').append(shown).append(suffix);
        return b.toString();
    }

    /** The line for a path the receiver deleted. */
    static String deleted(String path) {
        return "*deleting   " + path;
    }
}
