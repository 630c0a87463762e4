package io.dwcp.zerocopy;

/**
 * What {@code lstat} says about a file (the link itself for a symlink).
 *
 * @param mode type and permission bits, as {@code st_mode}
 * @param allocated bytes actually allocated (blocks × 512), less than size for a sparse file; the portable
 *     path cannot see blocks and reports the size
 */
public record FileStat(int mode, long size, long allocated, long atimeNanos, long mtimeNanos, int uid, int gid,
        long links, long inode, long device) {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isSymbolicLink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    /** The permission bits (rwx for user, group, other plus setuid, setgid, sticky). */
    public int permissions() {
        return mode & 07777;
    }
}
