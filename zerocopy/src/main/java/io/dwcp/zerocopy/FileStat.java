package io.dwcp.zerocopy;

/**
 * What {@code lstat} says about a file (the link itself for a symlink).
 *
 * @param mode type and permission bits, as {@code st_mode}
 * @param allocated bytes actually allocated (blocks × 512), less than size for a sparse file; the portable
 *     path cannot see blocks and reports the size
 * @param ctimeNanos the inode's change time: moves with every write and every change of its metadata, and
 *     cannot be set back from user space, so an unchanged one says the file was left alone
 * @param device the file system holding the file, a Linux {@code dev_t} ({@link #makedev} encoding)
 * @param rdev the device a character or block device file stands for, a Linux {@code dev_t}; 0 for other files
 */
public record FileStat(int mode, long size, long allocated, long atimeNanos, long mtimeNanos, long ctimeNanos, int uid,
        int gid, long links, long inode, long device, long rdev) {
    private static final int S_IFMT = 0170000;
    /** File type in {@code st_mode}: a FIFO; or it with permission bits for {@link ConfinedRoot#mknod}. */
    public static final int S_IFIFO = 0010000;
    /** File type in {@code st_mode}: a character device. */
    public static final int S_IFCHR = 0020000;
    /** File type in {@code st_mode}: a directory. */
    public static final int S_IFDIR = 0040000;
    /** File type in {@code st_mode}: a block device. */
    public static final int S_IFBLK = 0060000;
    /** File type in {@code st_mode}: a regular file. */
    public static final int S_IFREG = 0100000;
    /** File type in {@code st_mode}: a symbolic link. */
    public static final int S_IFLNK = 0120000;
    /** File type in {@code st_mode}: a Unix-domain socket. */
    public static final int S_IFSOCK = 0140000;

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isSymbolicLink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    public boolean isFifo() {
        return (mode & S_IFMT) == S_IFIFO;
    }

    public boolean isCharDevice() {
        return (mode & S_IFMT) == S_IFCHR;
    }

    public boolean isBlockDevice() {
        return (mode & S_IFMT) == S_IFBLK;
    }

    public boolean isSocket() {
        return (mode & S_IFMT) == S_IFSOCK;
    }

    /** The type as messages name it: {@code file}, {@code directory}, {@code symlink}, {@code fifo}, ... */
    public String typeName() {
        return switch (mode & S_IFMT) {
            case S_IFREG -> "file";
            case S_IFDIR -> "directory";
            case S_IFLNK -> "symlink";
            case S_IFIFO -> "fifo";
            case S_IFCHR -> "char-device";
            case S_IFBLK -> "block-device";
            case S_IFSOCK -> "socket";
            default -> "unknown";
        };
    }

    /** The permission bits (rwx for user, group, other plus setuid, setgid, sticky). */
    public int permissions() {
        return mode & 07777;
    }

    /**
     * A Linux {@code dev_t} from major and minor numbers (unsigned), as glibc's {@code makedev}: the low 12 bits of
     * the major and low 8 of the minor sit where the old 16-bit encoding had them, so small numbers keep their
     * historical values ({@code 8:1} is {@code 0x801}).
     */
    public static long makedev(int major, int minor) {
        long ma = Integer.toUnsignedLong(major);
        long mi = Integer.toUnsignedLong(minor);
        return ((ma & 0xfffL) << 8) | ((ma & 0xfffff000L) << 32) | (mi & 0xffL) | ((mi & 0xffffff00L) << 12);
    }

    /** The major number of a {@link #makedev} {@code dev_t}. */
    public static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfffL) | ((dev >>> 32) & 0xfffff000L));
    }

    /** The minor number of a {@link #makedev} {@code dev_t}. */
    public static int minor(long dev) {
        return (int) ((dev & 0xffL) | ((dev >>> 12) & 0xffffff00L));
    }
}
