package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.LinuxNative;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.DataListener;
import io.dwcp.zerocopy.DataSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Finds out once which native paths work here: present in libc is not enough (a seccomp profile or an old
 * kernel may refuse the call), so each one is exercised for real on a loopback connection and a temp file.
 * The first failure of each path is kept as its reason.
 */
public final class NativeProbe {
    /**
     * What worked. {@code reason} names why the first missing path is missing (empty when all work).
     *
     * @param files native file access (openat, pread/pwrite, statx ... on raw fds)
     */
    public record Result(boolean sockets, boolean files, boolean sendfile, boolean splice, boolean msgZerocopy,
            boolean openat2, String reason) {
    }

    private NativeProbe() {
    }

    /** Probes every path, for a process that receives (splice, confined files) as well as sends. */
    public static Result run() {
        return run(true);
    }

    /**
     * @param receiving false for a process that only sends: splice and openat2 are then neither probed nor
     *                  used, which spares a sending client their native handles at start-up
     */
    public static Result run(boolean receiving) {
        if (!LinuxNative.available()) {
            return none("not-linux");
        }
        if (!Sys.SUPPORTED_ARCH) {
            return none("unsupported-arch");
        }
        if (!LinuxSockets.linked() || !LinuxFiles.linked() || !LinuxMapping.linked() || !LinuxTree.linked()) {
            return none("libc-symbols-missing");
        }
        StringBuilder reason = new StringBuilder();
        boolean openat2 = receiving && openat2Works(reason);
        try {
            return sockets(openat2, receiving, reason);
        } catch (IOException | RuntimeException e) {
            return new Result(false, false, false, false, false, false, "probe-failed " + describe(e));
        }
    }

    /**
     * Whether a tree can be read natively here (open a directory without following links, list it, {@code statx}
     * a name in it): null when it can, else why not. A few calls on {@code dir}, no sockets: what a sender needs
     * before it starts reading its sources, while the full probe runs beside it.
     */
    public static String filesUnusable(Path dir) {
        if (!LinuxNative.available()) {
            return "not-linux";
        }
        if (!Sys.SUPPORTED_ARCH) {
            return "unsupported-arch";
        }
        if (!LinuxFiles.linked() || !LinuxTree.linked()) {
            return "libc-symbols-missing";
        }
        try (NativeConfinedRoot root = NativeConfinedRoot.open(dir, false);
                io.dwcp.zerocopy.ConfinedDirectory d = root.openDirectory("")) {
            String[] first = {null};
            d.list(n -> {
                if (first[0] == null) {
                    first[0] = n;
                }
            });
            if (first[0] != null) {
                d.stat(first[0]);
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "probe-failed " + describe(e);
        }
    }

    private static Result none(String reason) {
        return new Result(false, false, false, false, false, false, reason);
    }

    private static Result sockets(boolean openat2, boolean receiving, StringBuilder reason) throws IOException {
        NativeSockets factory = new NativeSockets(true, true);
        try (ProbeFiles files = ProbeFiles.create(Path.of(System.getProperty("java.io.tmpdir")));
                DataListener l = factory.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                NativeDataSocket client = factory.connect(l.localAddress(), 5000);
                DataSocket server = l.accept();
                Arena arena = Arena.ofConfined()) {
            NativeFile in = files.in;
            NativeFile out = files.out;
            server.setIdleTimeout(5000);
            MemorySegment buf = arena.allocate(8);
            boolean sendfile = attempt(reason, "sendfile", () -> {
                client.transferFromFile(in, 0, 4);
                server.readFully(buf, 0, 4);
                return Arrays.equals(buf.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE), new byte[] {1, 2, 3, 4});
            });
            boolean splice = receiving && attempt(reason, "splice", () -> {
                buf.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 0x05060708);
                client.writeFully(buf, 0, 4);
                server.receiveToFile(out, 0, 4);
                MemorySegment landed = arena.allocate(4);
                return out.read(landed, 0, 4, 0) == 4
                        && Arrays.equals(landed.toArray(ValueLayout.JAVA_BYTE), new byte[] {8, 7, 6, 5});
            });
            boolean zerocopy = attempt(reason, "msg-zerocopy", () -> {
                ZeroCopyOps ops = new ZeroCopyOps(client);
                if (!ops.enable()) {
                    return false;
                }
                return ops.send(buf, 0, 4) == 4;
            });
            return new Result(true, true, sendfile, splice, zerocopy, openat2, reason.toString());
        } catch (NativeIoException e) {
            return new Result(false, false, false, false, false, false, "sockets-refused " + describe(e));
        }
    }

    /**
     * The probe's two files, open and without a name ({@code O_TMPFILE}, else made and unlinked at once with their
     * directory): a process killed mid-probe, which a short send often is, since the probe runs beside its work,
     * leaves nothing in the temp directory.
     */
    static final class ProbeFiles implements AutoCloseable {
        final NativeFile in;
        final NativeFile out;

        private ProbeFiles(NativeFile in, NativeFile out) {
            this.in = in;
            this.out = out;
        }

        static ProbeFiles create(Path parent) throws IOException {
            NativeFile in = null;
            try {
                in = NativeFile.openAnonymous(parent);
                try (Arena arena = Arena.ofConfined()) {
                    in.writeFully(arena.allocateFrom(ValueLayout.JAVA_BYTE, new byte[] {1, 2, 3, 4}), 0, 4, 0);
                }
                return new ProbeFiles(in, NativeFile.openAnonymous(parent));
            } catch (IOException e) {
                if (in != null) {
                    in.close();
                }
                return named(parent); // a file system without O_TMPFILE
            }
        }

        /** Named files, unlinked as soon as they are open: a process killed in between leaves a directory. */
        static ProbeFiles named(Path parent) throws IOException {
            Path dir = Files.createTempDirectory(parent, "dwcp-probe");
            Path src = dir.resolve("src");
            Path dst = dir.resolve("dst");
            NativeFile in = null;
            try {
                Files.write(src, new byte[] {1, 2, 3, 4});
                in = NativeFile.open(src, false, false);
                NativeFile out = NativeFile.open(dst, true, true);
                return new ProbeFiles(in, out);
            } catch (IOException | RuntimeException e) {
                if (in != null) {
                    in.close();
                }
                throw e;
            } finally {
                Files.deleteIfExists(src);
                Files.deleteIfExists(dst);
                Files.deleteIfExists(dir);
            }
        }

        @Override
        public void close() {
            try (in; out) {
                // both closed, out last
            }
        }
    }

    /** Probes run on the caller's thread; each answers true when the path gave the right bytes. */
    private interface Attempt {
        boolean run() throws IOException;
    }

    private static boolean attempt(StringBuilder reason, String what, Attempt a) {
        String why;
        try {
            if (a.run()) {
                return true;
            }
            why = "wrong-result";
        } catch (IOException | RuntimeException e) {
            why = describe(e);
        }
        if (reason.isEmpty()) {
            reason.append(what).append("-unusable ").append(why);
        }
        return false;
    }

    private static boolean openat2Works(StringBuilder reason) {
        if (!LinuxFiles.openat2Linked()) {
            reason.append("openat2-unusable libc-has-no-syscall");
            return false;
        }
        int rc = Confinement.probeOpenat2();
        if (rc < 0) {
            reason.append("openat2-unusable errno=").append(Errno.name(-rc));
            return false;
        }
        return true;
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m != null && m.contains("=") ? m : "error=" + e.getClass().getSimpleName();
    }
}
