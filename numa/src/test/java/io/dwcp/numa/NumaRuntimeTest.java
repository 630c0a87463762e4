package io.dwcp.numa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NumaRuntimeTest {

    @Test
    void describesWhatItSetUp() throws Exception {
        try (NumaRuntime rt = NumaRuntime.start(NumaOptions.parse(0, "auto", "auto", "64MiB"))) {
            String d = rt.describe();
            System.out.println("describe: " + d);
            System.out.println("hugepages: " + rt.hugePages().describe());
            int cpus = rt.topology().online().size();
            String pinned = Affinity.available() ? cpus + "/" + cpus : "0/" + cpus;
            assertTrue(d.startsWith("workers=" + cpus + " pin=" + rt.topology().online() + " pinned=" + pinned
                    + " nodes=" + rt.topology().nodeCount() + " topology=sysfs hugepages="), d);
            assertTrue(d.contains(" slab_budget=64MiB"), d);
            Slab s = rt.slabs().acquire(Bytes.MIB, 1, TimeUnit.SECONDS);
            assertNotNull(s);
            s.release();
        }
    }

    @Test
    void fallbacksShowInTheReport(@org.junit.jupiter.api.io.TempDir Path empty) throws Exception {
        Topology none = Topology.fromSysfs(empty);
        NumaOptions o = NumaOptions.parse(2, "off", "off", "8MiB");
        try (NumaRuntime rt = NumaRuntime.start(o, none)) {
            assertEquals("workers=2 pin=off pinned=0/2 nodes=1 topology=fallback hugepages=plain slab_budget=8MiB"
                    + " mempolicy=single-node", rt.describe());
        }
    }

    @Test
    void badOptionsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> NumaOptions.parse(-1, "auto", "auto", "64MiB"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NumaOptions.parse(0, "auto", "maybe", "64MiB"));
        assertTrue(e.getMessage().startsWith("hugepages=\"maybe\""), e.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> NumaRuntime.start(NumaOptions.parse(0, "auto", "auto", "1KiB")));
        assertEquals("slab_budget=1024 reason=below-one-huge-page min=2MiB", small.getMessage());
    }
}
