package io.dwcp.zerocopy.select;

import io.dwcp.zerocopy.ConfinedRoot;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.linux.NativeConfinedRoot;
import io.dwcp.zerocopy.linux.NativeProbe;
import io.dwcp.zerocopy.portable.PortableConfinedRoot;
import java.io.IOException;
import java.nio.file.Path;

/**
 * How a sending process reads the trees it was named: native directory fds ({@code openat}, {@code getdents64},
 * {@code statx} relative to an open directory, nothing followed) or the portable JDK calls. Chosen once per
 * process by a probe of a few file calls. Selecting is free: the probe runs when a root is first opened or the
 * choice first asked for, so on a sender it runs on the walk's thread, beside the connection's set-up (making the
 * process's first native call handles: 50-60 ms cold, measured), and beside the socket probe of {@link IoPaths}.
 */
public final class SourceRoots {
    private static final SourceRoots PORTABLE = new SourceRoots(false);
    private static final SourceRoots AUTO = new SourceRoots(true);
    private static final Choice FORCED = new Choice(false, "forced");

    private final boolean probed;

    private SourceRoots(boolean probed) {
        this.probed = probed;
    }

    private record Choice(boolean nativeFiles, String reason) {
    }

    private static final class Probed {
        static final Choice AUTO = probe();

        private static Choice probe() {
            String why = NativeProbe.filesUnusable(Path.of(System.getProperty("java.io.tmpdir")));
            return new Choice(why == null, why == null ? "" : why);
        }
    }

    /** The roots for {@code mode}; a native mode probes on first use, on the thread that uses it, once a process. */
    public static SourceRoots select(IoMode mode) {
        return mode == IoMode.PORTABLE ? PORTABLE : AUTO;
    }

    private Choice choice() {
        return probed ? Probed.AUTO : FORCED;
    }

    /** Opens directory {@code dir}, named by the local user, as the root of a walk. */
    public ConfinedRoot open(Path dir) throws IOException {
        return choice().nativeFiles() ? NativeConfinedRoot.open(dir, false) : PortableConfinedRoot.open(dir);
    }

    /** True when trees are read through native directory fds; false on the portable JDK path. */
    public boolean nativeFiles() {
        return choice().nativeFiles();
    }

    /** {@code source_io=native}, or {@code source_io=portable reason=...}. */
    public String describe() {
        Choice c = choice();
        return "source_io=" + (c.nativeFiles() ? "native" : "portable") + (c.reason().isEmpty() ? "" : " reason=" + c.reason());
    }

    @Override
    public String toString() {
        return describe();
    }
}
