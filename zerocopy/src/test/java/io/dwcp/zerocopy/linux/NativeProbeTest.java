package io.dwcp.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.core.linux.LinuxNative;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeProbeTest {
    /**
     * A short send exits while the probe still runs beside it; the probe's files must already be gone from the
     * file system by then (they were left behind, one directory per such run).
     */
    @Test
    void theProbesFilesAreUnlinkedAsSoonAsTheyAreOpen(@TempDir Path tmp) throws Exception {
        assumeTrue(LinuxNative.available() && LinuxFiles.linked(), "not Linux");
        try (NativeProbe.ProbeFiles files = NativeProbe.ProbeFiles.create(tmp);
                Arena arena = Arena.ofConfined();
                Stream<Path> left = Files.list(tmp)) {
            assertEquals(0, left.count(), "nothing of the probe is visible while it runs");
            MemorySegment buf = arena.allocate(4);
            assertEquals(4, files.in.read(buf, 0, 4, 0));
            assertArrayEquals(new byte[] {1, 2, 3, 4}, buf.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(4, files.out.write(buf, 0, 4, 0));
            assertEquals(4, files.out.read(buf, 0, 4, 0));
        }
    }

    /** The fallback where a file system has no O_TMPFILE: named files, unlinked as soon as they are open. */
    @Test
    void theNamedFallbackLeavesNothingEither(@TempDir Path tmp) throws Exception {
        assumeTrue(LinuxNative.available() && LinuxFiles.linked(), "not Linux");
        try (NativeProbe.ProbeFiles files = NativeProbe.ProbeFiles.named(tmp);
                Stream<Path> left = Files.list(tmp)) {
            assertEquals(0, left.count());
        }
    }

    /** An O_TMPFILE file never has a name: nothing to leave even when the process is killed holding it. */
    @Test
    void anAnonymousFileHasNoNameAndHoldsWhatIsWritten(@TempDir Path tmp) throws Exception {
        assumeTrue(LinuxNative.available() && LinuxFiles.linked(), "not Linux");
        NativeFile f;
        try {
            f = NativeFile.openAnonymous(tmp);
        } catch (io.dwcp.core.linux.NativeIoException e) {
            // Only the missing feature skips: EOPNOTSUPP from a file system without it, EISDIR from a kernel that
            // predates it (it reads the flags as opening the directory). Any other failure fails the test.
            if (e.errno() != io.dwcp.core.linux.Errno.EOPNOTSUPP && e.errno() != io.dwcp.core.linux.Errno.EISDIR) {
                throw e;
            }
            org.junit.jupiter.api.Assumptions.abort("no O_TMPFILE on this file system or kernel: " + e.getMessage());
            return;
        }
        try (f; Arena arena = Arena.ofConfined(); Stream<Path> left = Files.list(tmp)) {
            assertEquals(0, left.count());
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, new byte[] {9, 8, 7});
            f.writeFully(buf, 0, 3, 0);
            assertEquals(3, f.size());
        }
    }

    @Test
    void theProbeStillFindsTheNativePaths() {
        assumeTrue(LinuxNative.available(), "not Linux");
        NativeProbe.Result r = NativeProbe.run(true);
        assertEquals(true, r.sockets() && r.files() && r.sendfile() && r.splice(), r.toString());
    }
}
