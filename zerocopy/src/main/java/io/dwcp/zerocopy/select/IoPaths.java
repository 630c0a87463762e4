package io.dwcp.zerocopy.select;

import io.dwcp.zerocopy.ConfinedRoot;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.DataListener;
import io.dwcp.zerocopy.DataSocket;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.ZeroCopySender;

import io.dwcp.zerocopy.linux.NativeConfinedRoot;
import io.dwcp.zerocopy.linux.NativeDataSocket;
import io.dwcp.zerocopy.linux.NativeFile;
import io.dwcp.zerocopy.linux.NativeProbe;
import io.dwcp.zerocopy.linux.NativeSockets;
import io.dwcp.zerocopy.linux.ZeroCopyOps;
import io.dwcp.zerocopy.portable.ChannelFile;
import io.dwcp.zerocopy.portable.PortableConfinedRoot;
import io.dwcp.zerocopy.portable.PortableSockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The I/O path of this process, chosen once: which native calls work here (probed for real, see
 * {@link NativeProbe}) or the portable JDK path when forced or when nothing native works. Everything the data
 * plane opens comes from here, so one decision covers every socket and file, and {@link #describe()} is the
 * line {@code dwcp serve} logs.
 */
public final class IoPaths {
    /** How confined paths are resolved. */
    public enum Confinement { OPENAT2, WALK, PORTABLE }

    private final boolean nativeSockets;
    private final boolean nativeFiles;
    private final boolean sendfile;
    private final boolean splice;
    private final boolean msgZerocopy;
    private final Confinement confinement;
    private final String reason;
    private final NativeSockets natives;
    private final PortableSockets portable = new PortableSockets();

    /** Probed for a sending process: confined files are not used, and {@link #openRoot} is not for it. */
    private final boolean sendingOnly;

    private IoPaths(NativeProbe.Result r, String reason) {
        this(r, reason, false, false);
    }

    private IoPaths(NativeProbe.Result r, String reason, boolean sendingOnly, boolean spliceWanted) {
        this.sendingOnly = sendingOnly;
        this.nativeSockets = r.sockets();
        this.nativeFiles = r.files();
        this.sendfile = r.sendfile();
        this.splice = spliceWanted && r.splice();
        this.msgZerocopy = r.msgZerocopy();
        this.confinement = !r.files() ? Confinement.PORTABLE : r.openat2() ? Confinement.OPENAT2 : Confinement.WALK;
        this.reason = reason;
        this.natives = nativeSockets ? new NativeSockets(sendfile, splice) : null;
    }

    private static final class Probed {
        static final NativeProbe.Result RESULT = NativeProbe.run(true);
        static final IoPaths AUTO = new IoPaths(RESULT, RESULT.reason(), false, false);
    }

    /** The same probe, with splice used where it works. */
    private static final class ProbedForSplice {
        static final IoPaths SPLICE = new IoPaths(Probed.RESULT, Probed.RESULT.reason(), false, true);
    }

    /** A sending process's paths, probed apart: it needs neither splice nor confined files. */
    private static final class ProbedForSending {
        static final IoPaths AUTO = sending();

        private static IoPaths sending() {
            NativeProbe.Result r = NativeProbe.run(false);
            return new IoPaths(r, r.reason(), true, false);
        }
    }

    /**
     * The paths of a process that only sends (a client): sockets, files to read, sendfile and MSG_ZEROCOPY;
     * splice and openat2 are left out of the probe and reported as not used.
     */
    public static IoPaths forSending(IoMode mode) {
        return switch (mode) {
            case AUTO, SPLICE -> ProbedForSending.AUTO;
            case PORTABLE -> select(mode);
        };
    }

    /** The paths for {@code mode}; AUTO and SPLICE probe on first use and reuse the answer. */
    public static IoPaths select(IoMode mode) {
        return switch (mode) {
            case AUTO -> Probed.AUTO;
            case SPLICE -> ProbedForSplice.SPLICE;
            case PORTABLE -> new IoPaths(new NativeProbe.Result(false, false, false, false, false, false, ""), "forced");
        };
    }

    /** {@code io_path=sendfile+splice+msg_zerocopy confine=openat2}, or {@code io_path=portable reason=forced}. */
    public String describe() {
        return describe(true);
    }

    /**
     * As {@link #describe()}, for a transfer that leaves {@code sendfile} unused where it has it ({@code sendfileUsed}
     * false: a sender whose peer is this machine).
     */
    public String describe(boolean sendfileUsed) {
        List<String> parts = new ArrayList<>();
        if (sendfile && sendfileUsed) {
            parts.add("sendfile");
        }
        if (splice) {
            parts.add("splice");
        }
        if (msgZerocopy) {
            parts.add("msg_zerocopy");
        }
        if (parts.isEmpty() && nativeSockets) {
            parts.add("native-copy");
        }
        String path = parts.isEmpty() ? "portable" : String.join("+", parts);
        String confine = sendingOnly ? "" : " confine=" + confinement.name().toLowerCase(java.util.Locale.ROOT);
        return "io_path=" + path + confine + (reason.isEmpty() ? "" : " reason=" + reason);
    }

    public boolean nativeSockets() {
        return nativeSockets;
    }

    public boolean sendfile() {
        return sendfile;
    }

    public boolean splice() {
        return splice;
    }

    public boolean msgZerocopy() {
        return msgZerocopy;
    }

    public Confinement confinement() {
        return confinement;
    }

    /** Connects a data-plane socket; {@code timeoutMillis} bounds the handshake (0: no bound of ours). */
    public DataSocket connect(InetSocketAddress to, int timeoutMillis) throws IOException {
        return nativeSockets ? natives.connect(to, timeoutMillis) : portable.connect(to, timeoutMillis);
    }

    public DataListener listen(InetSocketAddress at, int backlog) throws IOException {
        return nativeSockets ? natives.listen(at, backlog) : portable.listen(at, backlog);
    }

    /** Opens a file the local user named (a basis given with --base): not confined to any root, links followed. */
    public DataFile openRead(Path path) throws IOException {
        return nativeFiles ? NativeFile.open(path, false, false) : ChannelFile.open(path, false, false);
    }

    /**
     * Opens a file a walk of the sources found, to send it: a symlink put in its place is refused, not followed, and
     * a FIFO is not waited on; the caller checks, with the {@code stat} it makes for the size, that it is still a
     * regular file.
     */
    public DataFile openSource(Path path) throws IOException {
        return nativeFiles ? NativeFile.openSource(path) : ChannelFile.openSource(path);
    }

    /** Opens the directory every network-supplied path is resolved in. */
    public ConfinedRoot openRoot(Path root) throws IOException {
        return switch (confinement) {
            case OPENAT2 -> NativeConfinedRoot.open(root, true);
            case WALK -> NativeConfinedRoot.open(root, false);
            case PORTABLE -> PortableConfinedRoot.open(root);
        };
    }

    /**
     * A sender that uses MSG_ZEROCOPY on {@code socket} when this machine allows it, else plain sends with the
     * same buffer discipline.
     */
    public ZeroCopySender zeroCopySender(DataSocket socket, int maxInFlight, int threshold) throws IOException {
        ZeroCopyOps ops = null;
        if (msgZerocopy && socket instanceof NativeDataSocket n) {
            ops = new ZeroCopyOps(n);
            if (!ops.enable()) {
                ops = null;
            }
        }
        return new ZeroCopySender(socket, ops, maxInFlight, threshold);
    }

    @Override
    public String toString() {
        return describe();
    }
}
