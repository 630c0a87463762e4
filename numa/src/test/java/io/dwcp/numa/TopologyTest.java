package io.dwcp.numa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topology over fake sysfs trees. */
class TopologyTest {
    @TempDir
    Path sys;

    private void write(String rel, String text) throws IOException {
        Path p = sys.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void oneNode() throws IOException {
        write("devices/system/cpu/online", "0-1\n");
        write("devices/system/node/node0/cpulist", "0-1\n");
        Topology t = Topology.fromSysfs(sys);
        assertEquals(1, t.nodeCount());
        assertEquals(CpuList.parse("0-1"), t.online());
        assertEquals(List.of(new Topology.Node(0, CpuList.parse("0-1"))), t.nodes());
        assertTrue(t.fromSysfs());
        assertEquals("nodes=1 cpus=0-1 node0=0-1 source=sysfs", t.toString());
    }

    @Test
    void twoNodesWithAMemoryOnlyNodeAndOfflineCpus() throws IOException {
        write("devices/system/cpu/online", "0-5,8-11\n");
        write("devices/system/node/node0/cpulist", "0-3,8-9\n");
        write("devices/system/node/node1/cpulist", "4-7,10-11\n");
        write("devices/system/node/node2/cpulist", "\n"); // memory only (CXL, PMEM)
        write("devices/system/node/online", "0-2\n");     // not a node directory: ignored
        Topology t = Topology.fromSysfs(sys);
        assertEquals(3, t.nodeCount());
        assertEquals(CpuList.parse("0-3,8-9"), t.nodes().get(0).cpus());
        assertEquals(CpuList.parse("4-5,10-11"), t.nodes().get(1).cpus(), "offline CPUs 6-7 left out");
        assertTrue(t.nodes().get(2).cpus().isEmpty());
        assertEquals(0, t.nodeOfCpu(9));
        assertEquals(1, t.nodeOfCpu(10));
        assertEquals(0, t.nodeOfCpu(6), "an unknown CPU maps to the first node");
        assertEquals(1, t.indexOfNode(1));
    }

    @Test
    void sparseNodeIdsKeepTheirIds() throws IOException {
        write("devices/system/cpu/online", "0-3\n");
        write("devices/system/node/node0/cpulist", "0-1\n");
        write("devices/system/node/node2/cpulist", "2-3\n");
        Topology t = Topology.fromSysfs(sys);
        assertEquals(List.of(0, 2), t.nodes().stream().map(Topology.Node::id).toList());
        assertEquals(2, t.nodeOfCpu(3));
        assertEquals(1, t.indexOfNode(2));
    }

    @Test
    void noNodeDirectoryIsOneNode() throws IOException {
        write("devices/system/cpu/online", "0-3\n");
        Topology t = Topology.fromSysfs(sys);
        assertEquals(1, t.nodeCount());
        assertEquals(CpuList.parse("0-3"), t.nodes().getFirst().cpus());
        assertTrue(t.fromSysfs());
    }

    @Test
    void noSysfsFallsBackToAvailableProcessors() {
        Topology t = Topology.fromSysfs(sys.resolve("absent"));
        int n = Runtime.getRuntime().availableProcessors();
        assertFalse(t.fromSysfs());
        assertEquals(1, t.nodeCount());
        assertEquals(CpuList.firstN(n), t.online());
        assertTrue(t.source().startsWith("fallback reason=no-sysfs"), t.source());
    }

    @Test
    void garbageInSysfsFallsBackAndSaysWhy() throws IOException {
        write("devices/system/cpu/online", "zero\n");
        Topology t = Topology.fromSysfs(sys);
        assertFalse(t.fromSysfs());
        assertTrue(t.source().contains("reason=unreadable-sysfs"), t.source());
        assertTrue(t.source().contains("detail=\"cpulist='zero' reason=not-a-number\""), t.source());
    }

    @Test
    void thisMachine() {
        Topology t = Topology.detect();
        assertTrue(t.nodeCount() >= 1);
        assertFalse(t.online().isEmpty());
    }
}
