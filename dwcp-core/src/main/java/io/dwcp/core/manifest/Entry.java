package io.dwcp.core.manifest;

/**
 * One item of an offer.
 *
 * @param kind       file, directory or symlink
 * @param path       relative path with '/' separators, validated by {@link RelativePaths}
 * @param size       file size in bytes (0 for dirs and links)
 * @param mode       permission bits (0..07777 masked to 0777 on the receiver)
 * @param mtimeMillis modification time, milliseconds since the epoch
 * @param linkTarget symlink target (relative, confined to the tree), empty otherwise
 */
public record Entry(EntryKind kind, String path, long size, int mode, long mtimeMillis, String linkTarget) {
    public static Entry file(String path, long size, int mode, long mtimeMillis) {
        return new Entry(EntryKind.FILE, path, size, mode, mtimeMillis, "");
    }

    public static Entry dir(String path, int mode, long mtimeMillis) {
        return new Entry(EntryKind.DIR, path, 0, mode, mtimeMillis, "");
    }

    public static Entry symlink(String path, String target, long mtimeMillis) {
        return new Entry(EntryKind.SYMLINK, path, 0, 0777, mtimeMillis, target);
    }
}
