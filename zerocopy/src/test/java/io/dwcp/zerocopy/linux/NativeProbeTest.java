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

    @Test
    void theProbeStillFindsTheNativePaths() {
        assumeTrue(LinuxNative.available(), "not Linux");
        NativeProbe.Result r = NativeProbe.run(true);
        assertEquals(true, r.sockets() && r.files() && r.sendfile() && r.splice(), r.toString());
    }
}
