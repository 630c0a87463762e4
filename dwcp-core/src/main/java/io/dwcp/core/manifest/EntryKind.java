package io.dwcp.core.manifest;

import io.dwcp.core.DwcpException;

/** What a manifest entry is. */
public enum EntryKind {
    FILE(1),
    DIR(2),
    SYMLINK(3),
    /** Another name for a FILE offered earlier in the transfer ({@link Entry#linkTarget()} names it). */
    HARDLINK(4),
    /** A FIFO, character or block device; the type is in the mode's {@code S_IFMT} bits. */
    SPECIAL(5),
    /**
     * Sent with {@code --delete} after the last child of a directory: every name the directory should hold has
     * been offered, so the receiver may remove the others. Carries only the directory's path ("" for DEST).
     */
    LISTED(6);

    private static final EntryKind[] BY_CODE = {null, FILE, DIR, SYMLINK, HARDLINK, SPECIAL, LISTED};

    private final int code;

    EntryKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static EntryKind of(int code) throws DwcpException {
        if (code <= 0 || code >= BY_CODE.length) {
            throw DwcpException.protocol("frame=offer reason=unknown-entry-kind kind=" + code);
        }
        return BY_CODE[code];
    }
}
