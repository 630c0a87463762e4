package io.dwcp.numa.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.core.linux.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The native boundary against the kernel's own view ({@code /proc/self/numa_maps}, {@code thread-self}). */
class LinuxMemoryTest {
    private static final long MIB = 1 << 20;

    @Test
    void mapIsAlignedUsableAndUnmappedWithItsArena() throws Exception {
        assumeTrue(LinuxMemory.mmapAvailable(), "no mmap here");
        Arena arena = Arena.ofShared();
        MemorySegment seg = LinuxMemory.map(6 * MIB, 2 * MIB, false, arena);
        assertEquals(0, seg.address() % (2 * MIB), "THP needs 2 MiB alignment");
        assertEquals(6 * MIB, seg.byteSize());
        seg.set(ValueLayout.JAVA_LONG, 6 * MIB - 8, 42L);
        assertTrue(numaMapsLine(seg.address()) != null, "mapped");
        arena.close();
        assertEquals(null, numaMapsLine(seg.address()), "unmapped by the arena's close");
        assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_LONG, 0));
    }

    @Test
    void mbindReachesTheKernelWithThisArchitecturesNumber() throws Exception {
        assumeTrue(LinuxMemory.mmapAvailable() && LinuxMemory.policyAvailable(), "no mbind here");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = LinuxMemory.map(2 * MIB, 2 * MIB, false, arena);
            assertEquals(0, LinuxMemory.mbind(seg, LinuxMemory.MPOL_BIND, 0));
            String line = numaMapsLine(seg.address());
            assertTrue(line != null && (line + " ").contains(" bind:0 "), "kernel's view: " + line);
            // A node that does not exist is refused by the kernel itself, with EINVAL.
            assertEquals(Errno.EINVAL, LinuxMemory.mbind(seg, LinuxMemory.MPOL_BIND, 1000));
        }
    }

    @Test
    void setMempolicyPrefersANodeAndResets() {
        assumeTrue(LinuxMemory.policyAvailable(), "no set_mempolicy here");
        assertEquals(0, LinuxMemory.setMempolicy(LinuxMemory.MPOL_PREFERRED, 0));
        assertEquals(0, LinuxMemory.setMempolicy(LinuxMemory.MPOL_DEFAULT, -1));
    }

    @Test
    void madviseHugepageIsAcceptedOrRefusedWithErrno() throws Exception {
        assumeTrue(LinuxMemory.mmapAvailable(), "no mmap here");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = LinuxMemory.map(4 * MIB, 2 * MIB, false, arena);
            int rc = LinuxMemory.madvise(seg, LinuxMemory.MADV_HUGEPAGE);
            assertTrue(rc == 0 || rc == Errno.EINVAL, "errno " + Errno.name(rc));
            assertEquals(0, LinuxMemory.madvise(seg, LinuxMemory.MADV_POPULATE_WRITE));
        }
    }

    @Test
    void schedulerCallsAgreeWithProc() throws Exception {
        assumeTrue(LinuxSched.affinityAvailable(), "no sched_getaffinity here");
        String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // PID/task/TID
        assertEquals(Integer.parseInt(self.substring(self.lastIndexOf('/') + 1)), LinuxSched.gettid());
        int[] allowed = LinuxSched.getAffinity();
        assertTrue(allowed.length >= 1);
        assertTrue(Arrays.binarySearch(allowed, LinuxSched.currentCpu()) >= 0, "runs on an allowed CPU");
        assertTrue(LinuxSched.currentNode() >= 0);
    }

    /** The {@code /proc/self/numa_maps} line of the mapping starting at {@code address}, or null. */
    private static String numaMapsLine(long address) throws IOException {
        String prefix = Long.toHexString(address) + " ";
        return Files.readAllLines(Path.of("/proc/self/numa_maps")).stream()
                .filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
    }
}
