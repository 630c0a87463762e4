package io.dwcp.numa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sub-pools per node over a fake two-node topology (mbind to a node this machine lacks just fails: unbound). */
class SlabPoolNodesTest {
    private static final long MIB = Bytes.MIB;

    private static Topology twoNodes(Path sys) throws IOException {
        Files.createDirectories(sys.resolve("devices/system/node/node0"));
        Files.createDirectories(sys.resolve("devices/system/node/node1"));
        Files.createDirectories(sys.resolve("devices/system/cpu"));
        Files.writeString(sys.resolve("devices/system/cpu/online"), "0-1\n");
        Files.writeString(sys.resolve("devices/system/node/node0/cpulist"), "0\n");
        Files.writeString(sys.resolve("devices/system/node/node1/cpulist"), "1\n");
        return Topology.fromSysfs(sys);
    }

    @Test
    void eachNodeHasItsSlabsAndAnEmptyNodeBorrowsFromTheOther(@TempDir Path sys) throws IOException {
        Topology t = twoNodes(sys);
        try (SlabPool pool = new SlabPool(16 * MIB, SizeClasses.defaults(), HugePages.create(HugePageMode.OFF, 2), t)) {
            Slab one = pool.tryAcquire(MIB, 1);
            assertEquals(1, one.node());
            one.release(); // node 1 now holds seven free 1 MiB slabs in its own region
            List<Slab> held = new ArrayList<>();
            Slab s;
            while ((s = pool.tryAcquire(MIB, 0)) != null) {
                held.add(s);
            }
            // Node 0 carved the other 8 MiB (7 slabs), then took node 1's 7 free ones.
            assertEquals(14, held.size());
            assertEquals(7, held.stream().filter(x -> x.node() == 1).count());
            assertNull(pool.tryAcquire(MIB, 1), "budget spent, nothing free anywhere");
            assertEquals(16 * MIB, pool.stats().reserved());
            assertEquals(2, pool.stats().classes().stream().filter(c -> c.carved() > 0 && c.slabBytes() > MIB).count());
            held.forEach(Slab::release);
            assertThrows(IllegalArgumentException.class, () -> pool.tryAcquire(MIB, 7));
            assertNotNull(pool.tryAcquire(MIB, 1));
        }
    }
}
