package io.dwcp.zerocopy.linux;

import io.dwcp.core.Limits;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.FdHolder;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.core.manifest.Xattr;
import io.dwcp.zerocopy.ExtendedAttributes;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@link ExtendedAttributes} of one object, reached in one of three ways: its open fd ({@code f*xattr}); or, for an
 * object named in a directory fd, the {@code *xattrat} calls with {@code AT_SYMLINK_NOFOLLOW} where the kernel has
 * them (6.13), else an {@code O_PATH|O_NOFOLLOW} fd of it and the path calls on {@code /proc/self/fd/N}, a magic link
 * that lands on the object itself (a symlink included) without resolving any name again. Which of the two is chosen
 * once per process. Buffers come from a {@link Scratch} the caller keeps (a directory walked name by name reuses
 * one), made on first need: an object without attributes costs one size query.
 */
final class NativeXattrs implements ExtendedAttributes {
    /** The kernel has {@code *xattrat}: probed once. */
    static final boolean AT_CALLS = LinuxXattrs.atCallsWork();
    /** Both a names list and a value fit: Linux's {@code XATTR_LIST_MAX} and {@code XATTR_SIZE_MAX}. */
    private static final int BUFFER = Math.max(Limits.MAX_XATTR_LIST_BYTES, Limits.MAX_XATTR_VALUE_BYTES);

    /** The four calls, bound to one object; each returns the result or {@code -errno}. */
    private interface Calls {
        long list(MemorySegment buf);

        long get(MemorySegment name, MemorySegment buf);

        int set(MemorySegment name, MemorySegment value);

        int remove(MemorySegment name);
    }

    /**
     * Native buffers for attribute calls, each made on first need and reused: one thread at a time. Values to set and
     * names to remove are allocated per call, so a scratch that sets things should live no longer than its arena's
     * work (one operation, or an automatic arena).
     */
    static final class Scratch {
        private final Arena arena;
        private MemorySegment names;
        private MemorySegment value;
        private MemorySegment args;
        private MemorySegment procPath;

        Scratch(Arena arena) {
            this.arena = arena;
        }

        private MemorySegment names() {
            return names == null ? names = arena.allocate(BUFFER) : names;
        }

        private MemorySegment value() {
            return value == null ? value = arena.allocate(BUFFER) : value;
        }

        private MemorySegment args() {
            return args == null ? args = arena.allocate(LinuxXattrs.XATTR_ARGS_SIZE, 8) : args;
        }

        /** {@code /proc/self/fd/N} as a C string, in a buffer kept for the next one. */
        private MemorySegment procPath(int fd) {
            if (procPath == null) {
                procPath = arena.allocate(32);
            }
            byte[] b = ("/proc/self/fd/" + fd).getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(b, 0, procPath, ValueLayout.JAVA_BYTE, 0, b.length);
            procPath.set(ValueLayout.JAVA_BYTE, b.length, (byte) 0);
            return procPath;
        }
    }

    private final Calls calls;
    private final Scratch scratch;
    private final String label;

    private NativeXattrs(Calls calls, Scratch scratch, String label) {
        this.calls = calls;
        this.scratch = scratch;
        this.label = label;
    }

    /**
     * The attributes of the open file {@code holder} holds; each call holds the fd while it runs (see
     * {@link FdHolder}), so a concurrent close cannot hand its number to another file meanwhile.
     */
    static NativeXattrs ofFd(FdHolder holder, Scratch scratch, String label) {
        return new NativeXattrs(new Calls() {
            public long list(MemorySegment buf) {
                return held(holder, () -> LinuxXattrs.flist(holder.fd(), buf));
            }

            public long get(MemorySegment name, MemorySegment buf) {
                return held(holder, () -> LinuxXattrs.fget(holder.fd(), name, buf));
            }

            public int set(MemorySegment name, MemorySegment v) {
                return (int) held(holder, () -> LinuxXattrs.fset(holder.fd(), name, v));
            }

            public int remove(MemorySegment name) {
                return (int) held(holder, () -> LinuxXattrs.fremove(holder.fd(), name));
            }
        }, scratch, label);
    }

    /** {@code call} with the fd held, or EBADF once it is closed. */
    private static long held(FdHolder holder, java.util.function.LongSupplier call) {
        if (!holder.enter()) {
            return -Errno.EBADF;
        }
        try {
            return call.getAsLong();
        } finally {
            holder.exit();
        }
    }

    /**
     * Runs {@code use} on the attributes of {@code leaf} in directory {@code dirFd} itself, never following it; the
     * handle is valid inside {@code use} only. {@code atCalls}: through {@code *xattrat} where this kernel has them
     * ({@link #AT_CALLS}), else through an {@code O_PATH} fd.
     */
    static <T> T onLeaf(int dirFd, MemorySegment leaf, boolean atCalls, Scratch scratch, String label, Use<T> use)
            throws IOException {
        if (atCalls && AT_CALLS) {
            return use.apply(at(dirFd, leaf, scratch, label));
        }
        int fd;
        do {
            fd = LinuxFiles.openat(dirFd, leaf, Sys.O_PATH | Sys.O_NOFOLLOW | Sys.O_CLOEXEC, 0);
        } while (fd == -Errno.EINTR);
        if (fd < 0) {
            throw new NativeIoException("openat", -fd, label);
        }
        try {
            return use.apply(viaProc(fd, scratch, label));
        } finally {
            FdCalls.close(fd);
        }
    }

    private static NativeXattrs at(int dirFd, MemorySegment leaf, Scratch scratch, String label) {
        MemorySegment args = scratch.args();
        return new NativeXattrs(new Calls() {
            public long list(MemorySegment buf) {
                return LinuxXattrs.listAt(dirFd, leaf, buf);
            }

            public long get(MemorySegment name, MemorySegment buf) {
                return LinuxXattrs.getAt(dirFd, leaf, name, buf, args);
            }

            public int set(MemorySegment name, MemorySegment v) {
                return LinuxXattrs.setAt(dirFd, leaf, name, v, args);
            }

            public int remove(MemorySegment name) {
                return LinuxXattrs.removeAt(dirFd, leaf, name);
            }
        }, scratch, label);
    }

    /** Through the magic link of an {@code O_PATH} fd: the one way to reach a symlink's own attributes before 6.13. */
    private static NativeXattrs viaProc(int pathFd, Scratch scratch, String label) {
        MemorySegment path = scratch.procPath(pathFd);
        return new NativeXattrs(new Calls() {
            public long list(MemorySegment buf) {
                return LinuxXattrs.list(path, buf);
            }

            public long get(MemorySegment name, MemorySegment buf) {
                return LinuxXattrs.get(path, name, buf);
            }

            public int set(MemorySegment name, MemorySegment v) {
                return LinuxXattrs.set(path, name, v);
            }

            public int remove(MemorySegment name) {
                return LinuxXattrs.remove(path, name);
            }
        }, scratch, label);
    }

    @Override
    public List<Xattr> read(Predicate<String> wanted) throws IOException {
        long size = calls.list(MemorySegment.NULL);
        if (size == -Errno.EOPNOTSUPP || size == 0) {
            return List.of(); // a file system without attributes, or an object without any
        }
        if (size < 0) {
            throw new NativeIoException("listxattr", (int) -size, label);
        }
        MemorySegment names = scratch.names();
        long n = calls.list(names);
        if (n < 0) {
            throw new NativeIoException("listxattr", (int) -n, label);
        }
        List<Xattr> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (names.get(ValueLayout.JAVA_BYTE, i) != 0) {
                continue;
            }
            String name = decode(names.asSlice(start, i - start));
            if (wanted.test(name)) {
                byte[] v = value(names.asSlice(start), name);
                if (v != null) {
                    out.add(new Xattr(name, v));
                }
            }
            start = i + 1;
        }
        out.sort(Comparator.comparing(Xattr::name));
        return out;
    }

    /** The value of the attribute whose C-string name starts {@code cName}, or null when it went meanwhile. */
    private byte[] value(MemorySegment cName, String name) throws IOException {
        MemorySegment value = scratch.value();
        long n = calls.get(cName, value);
        if (n == -Errno.ENODATA) {
            return null;
        }
        if (n < 0) {
            throw new NativeIoException("getxattr", (int) -n, label + " name=" + name);
        }
        return value.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    private String decode(MemorySegment bytes) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toArray(ValueLayout.JAVA_BYTE))).toString();
        } catch (CharacterCodingException e) {
            throw new NativeIoException("listxattr", Errno.EINVAL, label + " reason=name-not-utf8");
        }
    }

    @Override
    public void set(String name, byte[] v) throws IOException {
        MemorySegment cName = scratch.arena.allocateFrom(name);
        MemorySegment data = scratch.arena.allocate(Math.max(1, v.length)).asSlice(0, v.length);
        MemorySegment.copy(v, 0, data, ValueLayout.JAVA_BYTE, 0, v.length);
        int rc;
        do {
            rc = calls.set(cName, data);
        } while (rc == -Errno.EINTR);
        if (rc < 0) {
            throw new NativeIoException("setxattr", -rc, label + " name=" + name);
        }
    }

    @Override
    public void remove(String name) throws IOException {
        int rc;
        do {
            rc = calls.remove(scratch.arena.allocateFrom(name));
        } while (rc == -Errno.EINTR);
        if (rc < 0 && rc != -Errno.ENODATA) {
            throw new NativeIoException("removexattr", -rc, label + " name=" + name);
        }
    }
}
