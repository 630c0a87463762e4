package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.LinuxNative;
import java.util.Locale;

/**
 * Kernel ABI constants the boundary classes pass to libc. Most are shared by every Linux architecture; the
 * {@code O_*} flags are not (arm64 moved {@code O_DIRECTORY} and {@code O_NOFOLLOW}), so they are picked from
 * {@code os.arch} once. The values were checked against the C headers with {@code offsetof}/{@code printf}.
 */
final class Sys {
    static final boolean ARM64 = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).contains("aarch64");
    /** The native paths are written and tested for these two 64-bit ABIs only. */
    static final boolean SUPPORTED_ARCH = ARM64
            || System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).matches("amd64|x86_64");

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0x40;
    static final int O_EXCL = 0x80;
    static final int O_TRUNC = 0x200;
    static final int O_DIRECTORY = ARM64 ? 0x4000 : 0x10000;
    static final int O_NOFOLLOW = ARM64 ? 0x8000 : 0x20000;
    static final int O_CLOEXEC = 0x80000;
    /** Opening a FIFO found where a file was expected must not hang the caller; regular files ignore it. */
    static final int O_NONBLOCK = 0x800;
    static final int O_PATH = 0x200000;
    /** An unnamed file in a directory: nothing to remove, whenever the process ends (O_DIRECTORY is part of it). */
    static final int O_TMPFILE = 0x400000 | O_DIRECTORY;

    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_REMOVEDIR = 0x200;
    static final int AT_EMPTY_PATH = 0x1000;

    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_NO_SYMLINKS = 0x04;
    static final long RESOLVE_BENEATH = 0x08;
    /** openat2 has the same number on every architecture (new syscalls share one table). */
    static final long SYS_OPENAT2 = 437;
    /** For a glibc without the wrapper (before 2.30); older calls have per-architecture numbers. */
    static final long SYS_GETDENTS64 = ARM64 ? 61 : 217;
    /** For a glibc without the {@code mknodat} symbol (before 2.33, which had only {@code __xmknodat}). */
    static final long SYS_MKNODAT = ARM64 ? 33 : 259;

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SOL_IP = 0;
    static final int SOL_TCP = 6;
    static final int SOL_IPV6 = 41;
    static final int SO_REUSEADDR = 2;
    static final int SO_ERROR = 4;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_LINGER = 13;
    static final int SO_RCVTIMEO = 20;
    static final int SO_SNDTIMEO = 21;
    static final int SO_ZEROCOPY = 60;
    static final int TCP_NODELAY = 1;
    static final int TCP_INFO = 11;
    static final int IP_RECVERR = 11;
    static final int IPV6_RECVERR = 25;
    static final int SHUT_WR = 1;
    static final int SHUT_RDWR = 2;

    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_ERRQUEUE = 0x2000;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_MORE = 0x8000;
    static final int MSG_ZEROCOPY = 0x4000000;
    static final int SO_EE_ORIGIN_ZEROCOPY = 5;
    static final int SO_EE_CODE_ZEROCOPY_COPIED = 1;

    static final int POLLERR = 0x8;

    static final int F_SETPIPE_SZ = 1031;
    static final int F_GETPIPE_SZ = 1032;
    static final int SPLICE_F_MOVE = 1;
    static final int SPLICE_F_MORE = 4;

    static final int FALLOC_FL_KEEP_SIZE = 1;
    static final int POSIX_FADV_WILLNEED = 3;
    /** {@code _IOW(0x94, 9, int)}: reflink a whole file. The {@code _IOC} encoding is shared by both ABIs. */
    static final long FICLONE = 0x40049409L;
    /** {@code _IOW(0x94, 13, struct file_clone_range)}: reflink a range (32-byte struct). */
    static final long FICLONERANGE = 0x4020940dL;
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;
    /**
     * lseek's "no data from here on" and the reflink ioctl's "not this file": errnos this module acts on without
     * ever throwing them, so core's {@code Errno} does not name them.
     */
    static final int ENXIO = 6;
    static final int ENOTTY = 25;
    /** For a glibc without the wrapper (before 2.27). */
    static final long SYS_COPY_FILE_RANGE = ARM64 ? 285 : 326;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MADV_NORMAL = 0;
    static final int MADV_RANDOM = 1;
    static final int MADV_SEQUENTIAL = 2;
    static final int MADV_WILLNEED = 3;
    static final int MADV_DONTNEED = 4;

    private Sys() {
    }

    /** Whether native paths may be tried at all here (Linux, a native linker, a known ABI). */
    static boolean nativeUsable() {
        return LinuxNative.available() && SUPPORTED_ARCH;
    }

    /** Turns a {@code Throwable} from {@code invokeExact} (never expected from a downcall) into an error. */
    static AssertionError linkError(Throwable t) {
        return new AssertionError("downcall failed", t);
    }
}
