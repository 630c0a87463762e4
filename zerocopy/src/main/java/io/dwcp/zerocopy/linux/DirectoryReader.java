package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Reads the names in an open directory with {@code getdents64} and hands each to a consumer as it is decoded, so
 * a directory of millions of entries costs one buffer, not a list.
 *
 * <p>A record is {@code struct linux_dirent64}: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, then d_name,
 * NUL-terminated and padded so the next record is 8-byte aligned; the layout is the same on every architecture.
 */
final class DirectoryReader {
    /** Some hundreds of names a call: the size of the buffer a caller passes. */
    static final int BUFFER_BYTES = 32 * 1024;
    private static final long RECLEN = 16;
    private static final long NAME = 19;

    private DirectoryReader() {
    }

    /**
     * Calls {@code names} with every entry of the directory open as {@code fd} but {@code .} and {@code ..}; the
     * caller keeps and closes the fd. Names are the raw bytes decoded as UTF-8; a name whose bytes are not UTF-8
     * goes to {@code malformed}, in its lossy decoding (U+FFFD for each bad sequence): under that string it names
     * no file.
     *
     * @param path for messages only
     * @param buf  {@link #BUFFER_BYTES} bytes, 8-aligned, the caller's to reuse: a tree walk lists thousands of
     *             directories, and a buffer made per listing was zeroed each time (5% of a re-sync's scan)
     */
    static void read(int fd, String path, MemorySegment buf, Consumer<String> names, Consumer<String> malformed)
            throws IOException {
        for (;;) {
            long n = LinuxTree.getdents64(fd, buf);
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n < 0) {
                throw new NativeIoException("getdents64", (int) -n, detail(path));
            }
            if (n == 0) {
                return;
            }
            decode(buf, n, path, names, malformed);
        }
    }

    private static void decode(MemorySegment buf, long filled, String path, Consumer<String> names,
                               Consumer<String> malformed) throws IOException {
        long at = 0;
        while (at < filled) {
            int reclen = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, at + RECLEN));
            // a record shorter than its header (or overrunning the fill) would loop forever or read stale bytes
            if (reclen <= NAME || at + reclen > filled) {
                throw new NativeIoException("getdents64", Errno.EIO, detail(path) + " reason=bad-record");
            }
            // bounded by the record: a missing NUL fails here instead of running into the next record
            MemorySegment raw = buf.asSlice(at + NAME, reclen - NAME);
            String name = raw.getString(0, StandardCharsets.UTF_8);
            if (!name.equals(".") && !name.equals("..")) {
                // U+FFFD is a valid character too: only then are the bytes checked against the decoding
                if (name.indexOf('\uFFFD') >= 0 && !Arrays.equals(name.getBytes(StandardCharsets.UTF_8),
                        raw.asSlice(0, nulAt(raw)).toArray(ValueLayout.JAVA_BYTE))) {
                    malformed.accept(name);
                } else {
                    names.accept(name);
                }
            }
            at += reclen;
        }
    }

    private static long nulAt(MemorySegment raw) {
        long i = 0;
        while (i < raw.byteSize() && raw.get(ValueLayout.JAVA_BYTE, i) != 0) {
            i++;
        }
        return i;
    }

    private static String detail(String path) {
        return "path=\"" + path.replace('"', '\'') + "\"";
    }
}
