package io.dwcp.core.manifest;

/**
 * One item of an offer: what {@code rsync -aH} keeps of a file, directory, link or special file.
 *
 * @param kind        what the entry is
 * @param path        relative path with '/' separators, validated by {@link RelativePaths}
 * @param size        file size in bytes (0 for everything that is not a FILE)
 * @param mode        permission bits, 0..07777
 * @param mtimeNanos  modification time, nanoseconds since the epoch
 * @param linkTarget  SYMLINK: the target text, verbatim; HARDLINK: the offer path of the file it is another name
 *                    for (offered earlier in the same transfer); empty otherwise
 * @param uid         owner id, or {@link #NO_ID} when not known
 * @param gid         group id, or {@link #NO_ID}
 * @param rdev        SPECIAL: the Linux {@code dev_t} of a device, 0 otherwise; the file type is in {@code mode}'s
 *                    {@code S_IFMT} bits for SPECIAL entries
 * @param xattrs      the extended attributes ({@code --xattrs}), or {@link Xattrs#UNKNOWN} when they do not travel;
 *                    never on a HARDLINK or LISTED entry
 */
public record Entry(EntryKind kind, String path, long size, int mode, long mtimeNanos, String linkTarget, int uid,
                    int gid, long rdev, Xattrs xattrs) {
    /** An owner or group the sender did not give. */
    public static final int NO_ID = -1;

    /** An entry whose extended attributes do not travel. */
    public Entry(EntryKind kind, String path, long size, int mode, long mtimeNanos, String linkTarget, int uid, int gid,
                 long rdev) {
        this(kind, path, size, mode, mtimeNanos, linkTarget, uid, gid, rdev, Xattrs.UNKNOWN);
    }

    public static Entry file(String path, long size, int mode, long mtimeNanos) {
        return new Entry(EntryKind.FILE, path, size, mode, mtimeNanos, "", NO_ID, NO_ID, 0);
    }

    public static Entry dir(String path, int mode, long mtimeNanos) {
        return new Entry(EntryKind.DIR, path, 0, mode, mtimeNanos, "", NO_ID, NO_ID, 0);
    }

    public static Entry symlink(String path, String target, long mtimeNanos) {
        return new Entry(EntryKind.SYMLINK, path, 0, 0777, mtimeNanos, target, NO_ID, NO_ID, 0);
    }

    public static Entry hardLink(String path, String firstName) {
        return new Entry(EntryKind.HARDLINK, path, 0, 0, 0, firstName, NO_ID, NO_ID, 0);
    }

    /** The same entry with owner and group. */
    public Entry withOwner(int uid, int gid) {
        return uid == this.uid && gid == this.gid ? this
                : new Entry(kind, path, size, mode, mtimeNanos, linkTarget, uid, gid, rdev, xattrs);
    }

    /** The same entry with these extended attributes. */
    public Entry withXattrs(Xattrs x) {
        return new Entry(kind, path, size, mode, mtimeNanos, linkTarget, uid, gid, rdev, x);
    }

    /** The entry's name, the last component of its path. */
    public String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The offer path of the directory holding the entry, "" for the top. */
    public String parent() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }
}
