package io.dwcp.zerocopy.linux;

import io.dwcp.zerocopy.FileStat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Offsets in {@code struct statx} (include/uapi/linux/stat.h; identical on every architecture):
 * <pre>
 *   0 u32 stx_mask        4 u32 stx_blksize     8 u64 stx_attributes
 *  16 u32 stx_nlink      20 u32 stx_uid        24 u32 stx_gid     28 u16 stx_mode
 *  32 u64 stx_ino        40 u64 stx_size       48 u64 stx_blocks  56 u64 stx_attributes_mask
 *  64 stx_atime {s64 tv_sec, u32 tv_nsec, s32 pad}   80 stx_btime   96 stx_ctime   112 stx_mtime
 * 128 u32 rdev_major    132 u32 rdev_minor   136 u32 dev_major  140 u32 dev_minor   ... 256 bytes in all
 * </pre>
 */
final class StatxLayout {
    static final long SIZE = 256;
    static final int MASK_BASIC = 0x7ff;
    private static final long BLKSIZE = 4;
    private static final long NLINK = 16;
    private static final long UID = 20;
    private static final long GID = 24;
    private static final long MODE = 28;
    private static final long INO = 32;
    private static final long SIZE_OFFSET = 40;
    private static final long BLOCKS = 48;
    private static final long ATIME = 64;
    private static final long CTIME = 96;
    private static final long MTIME = 112;
    private static final long RDEV_MAJOR = 128;
    private static final long RDEV_MINOR = 132;
    private static final long DEV_MAJOR = 136;
    private static final long DEV_MINOR = 140;

    private StatxLayout() {
    }

    static FileStat read(MemorySegment s) {
        return new FileStat(
                Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT, MODE)),
                s.get(ValueLayout.JAVA_LONG, SIZE_OFFSET),
                s.get(ValueLayout.JAVA_LONG, BLOCKS) * 512,
                nanos(s, ATIME),
                nanos(s, MTIME),
                nanos(s, CTIME),
                s.get(ValueLayout.JAVA_INT, UID),
                s.get(ValueLayout.JAVA_INT, GID),
                Integer.toUnsignedLong(s.get(ValueLayout.JAVA_INT, NLINK)),
                s.get(ValueLayout.JAVA_LONG, INO),
                // statx splits device numbers; st_dev/st_rdev (and the portable path) use glibc's dev_t encoding
                FileStat.makedev(s.get(ValueLayout.JAVA_INT, DEV_MAJOR), s.get(ValueLayout.JAVA_INT, DEV_MINOR)),
                FileStat.makedev(s.get(ValueLayout.JAVA_INT, RDEV_MAJOR), s.get(ValueLayout.JAVA_INT, RDEV_MINOR)));
    }

    /** {@code stx_blksize}: the preferred I/O size, a multiple of the file system's block. */
    static int blockSize(MemorySegment s) {
        return s.get(ValueLayout.JAVA_INT, BLKSIZE);
    }

    private static long nanos(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_LONG, at) * 1_000_000_000L + Integer.toUnsignedLong(s.get(ValueLayout.JAVA_INT, at + 8));
    }
}
