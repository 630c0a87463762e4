package io.dwcp.core.manifest;

import io.dwcp.core.DwcpException;

/** What a manifest entry is. */
public enum EntryKind {
    FILE(1),
    DIR(2),
    SYMLINK(3);

    private final int code;

    EntryKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static EntryKind of(int code) throws DwcpException {
        return switch (code) {
            case 1 -> FILE;
            case 2 -> DIR;
            case 3 -> SYMLINK;
            default -> throw DwcpException.protocol("frame=offer reason=unknown-entry-kind kind=" + code);
        };
    }
}
