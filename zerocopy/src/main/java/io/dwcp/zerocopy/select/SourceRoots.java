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
 * process by a probe of a few file calls, so a sender starts reading its sources without waiting for the socket
 * probe of {@link IoPaths}, which runs beside the walk.
 */
public final class SourceRoots {
    private static final SourceRoots PORTABLE = new SourceRoots(false, "forced");

    private final boolean nativeFiles;
    private final String reason;

    private SourceRoots(boolean nativeFiles, String reason) {
        this.nativeFiles = nativeFiles;
        this.reason = reason;
    }

    private static final class Probed {
        static final SourceRoots AUTO = probe();

        private static SourceRoots probe() {
            String why = NativeProbe.filesUnusable(Path.of(System.getProperty("java.io.tmpdir")));
            return new SourceRoots(why == null, why == null ? "" : why);
        }
    }

    /** The roots for {@code mode}; a native mode probes on first use and reuses the answer. */
    public static SourceRoots select(IoMode mode) {
        return mode == IoMode.PORTABLE ? PORTABLE : Probed.AUTO;
    }

    /** Opens directory {@code dir}, named by the local user, as the root of a walk. */
    public ConfinedRoot open(Path dir) throws IOException {
        return nativeFiles ? NativeConfinedRoot.open(dir, false) : PortableConfinedRoot.open(dir);
    }

    /** True when trees are read through native directory fds; false on the portable JDK path. */
    public boolean nativeFiles() {
        return nativeFiles;
    }

    /** {@code source_io=native}, or {@code source_io=portable reason=...}. */
    public String describe() {
        return "source_io=" + (nativeFiles ? "native" : "portable") + (reason.isEmpty() ? "" : " reason=" + reason);
    }

    @Override
    public String toString() {
        return describe();
    }
}
