package io.dwcp.core.linux;

/**
 * The errno values the data plane acts on (x86-64 and arm64 Linux share them) and their symbolic names, so
 * errors read {@code errno=EPIPE} in logs rather than a bare number or a localised message.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int ENODATA = 61;
    public static final int EOVERFLOW = 75;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;

    private static final String[] NAMES = new String[116];

    static {
        name(EPERM, "EPERM");
        name(ENOENT, "ENOENT");
        name(EINTR, "EINTR");
        name(EIO, "EIO");
        name(EBADF, "EBADF");
        name(EAGAIN, "EAGAIN");
        name(ENOMEM, "ENOMEM");
        name(EACCES, "EACCES");
        name(EFAULT, "EFAULT");
        name(EEXIST, "EEXIST");
        name(EXDEV, "EXDEV");
        name(ENOTDIR, "ENOTDIR");
        name(EISDIR, "EISDIR");
        name(EINVAL, "EINVAL");
        name(EMFILE, "EMFILE");
        name(EFBIG, "EFBIG");
        name(ENOSPC, "ENOSPC");
        name(ESPIPE, "ESPIPE");
        name(EROFS, "EROFS");
        name(EMLINK, "EMLINK");
        name(EPIPE, "EPIPE");
        name(ERANGE, "ERANGE");
        name(ENAMETOOLONG, "ENAMETOOLONG");
        name(ENOSYS, "ENOSYS");
        name(ENOTEMPTY, "ENOTEMPTY");
        name(ELOOP, "ELOOP");
        name(ENODATA, "ENODATA");
        name(EOVERFLOW, "EOVERFLOW");
        name(ENOTSOCK, "ENOTSOCK");
        name(EMSGSIZE, "EMSGSIZE");
        name(ENOPROTOOPT, "ENOPROTOOPT");
        name(EOPNOTSUPP, "EOPNOTSUPP");
        name(EADDRINUSE, "EADDRINUSE");
        name(EADDRNOTAVAIL, "EADDRNOTAVAIL");
        name(ENETUNREACH, "ENETUNREACH");
        name(ECONNABORTED, "ECONNABORTED");
        name(ECONNRESET, "ECONNRESET");
        name(ENOBUFS, "ENOBUFS");
        name(ENOTCONN, "ENOTCONN");
        name(ETIMEDOUT, "ETIMEDOUT");
        name(ECONNREFUSED, "ECONNREFUSED");
        name(EHOSTUNREACH, "EHOSTUNREACH");
        name(EALREADY, "EALREADY");
        name(EINPROGRESS, "EINPROGRESS");
    }

    private Errno() {
    }

    private static void name(int errno, String name) {
        NAMES[errno] = name;
    }

    /** {@code EPIPE} for 32; {@code errno-N} for a value without a name here. */
    public static String name(int errno) {
        String n = errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
        return n != null ? n : "errno-" + errno;
    }
}
