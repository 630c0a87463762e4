package io.dwcp.numa;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The machine's NUMA nodes and online CPUs, read once from sysfs ({@code devices/system/node/nodeN/cpulist},
 * {@code devices/system/cpu/online}) under a configurable root, so tests can feed fake trees. Without sysfs
 * the machine is one node holding CPUs {@code 0..availableProcessors()-1}, and {@link #source()} says so.
 */
public final class Topology {
    private static final Pattern NODE_DIR = Pattern.compile("node(\\d{1,4})");

    /** One NUMA node: its id (as in {@code nodeN}) and its CPUs (empty for a memory-only node). */
    public record Node(int id, CpuList cpus) {
    }

    private final List<Node> nodes;
    private final CpuList online;
    private final String source;
    /** CPU number to node id, -1 where unknown: {@link #nodeOfCpu} sits on the slab-acquire path. */
    private final int[] nodeByCpu;

    private Topology(List<Node> nodes, CpuList online, String source) {
        this.nodes = List.copyOf(nodes);
        this.online = online;
        this.source = source;
        int max = online.isEmpty() ? 0 : online.get(online.size() - 1);
        for (Node n : nodes) {
            max = Math.max(max, n.cpus().isEmpty() ? 0 : n.cpus().get(n.cpus().size() - 1));
        }
        this.nodeByCpu = new int[max + 1];
        Arrays.fill(nodeByCpu, -1);
        for (Node n : nodes) {
            for (int i = 0; i < n.cpus().size(); i++) {
                nodeByCpu[n.cpus().get(i)] = n.id();
            }
        }
    }

    /** The running machine: {@code /sys}, else the fallback. */
    public static Topology detect() {
        return fromSysfs(Path.of("/sys"));
    }

    /** The topology under {@code sysfsRoot} (the directory holding {@code devices/}); never throws. */
    public static Topology fromSysfs(Path sysfsRoot) {
        Path cpuOnline = sysfsRoot.resolve("devices/system/cpu/online");
        Path nodeDir = sysfsRoot.resolve("devices/system/node");
        try {
            if (!Files.isRegularFile(cpuOnline)) {
                return fallback("reason=no-sysfs path=" + cpuOnline);
            }
            CpuList online = CpuList.parse(Files.readString(cpuOnline));
            List<Node> nodes = new ArrayList<>();
            if (Files.isDirectory(nodeDir)) {
                try (DirectoryStream<Path> dirs = Files.newDirectoryStream(nodeDir)) {
                    for (Path d : dirs) {
                        var m = NODE_DIR.matcher(d.getFileName().toString());
                        if (m.matches() && Files.isRegularFile(d.resolve("cpulist"))) {
                            CpuList cpus = CpuList.parse(Files.readString(d.resolve("cpulist")));
                            nodes.add(new Node(Integer.parseInt(m.group(1)), cpus.intersect(online)));
                        }
                    }
                }
            }
            nodes.sort(Comparator.comparingInt(Node::id));
            if (nodes.isEmpty()) {
                // A kernel built without NUMA has no node directory: all of the machine is node 0.
                return new Topology(List.of(new Node(0, online)), online, "sysfs nodes=absent");
            }
            return new Topology(nodes, online, "sysfs");
        } catch (IOException | IllegalArgumentException e) {
            return fallback("reason=unreadable-sysfs detail=\"" + String.valueOf(e.getMessage()).replace('"', '\'') + "\"");
        }
    }

    /** One node with CPUs {@code 0..availableProcessors()-1}; {@code why} goes into {@link #source()}. */
    public static Topology fallback(String why) {
        CpuList all = CpuList.firstN(Runtime.getRuntime().availableProcessors());
        return new Topology(List.of(new Node(0, all)), all, "fallback " + why);
    }

    /** The nodes, by ascending id. */
    public List<Node> nodes() {
        return nodes;
    }

    public int nodeCount() {
        return nodes.size();
    }

    /** The online CPUs. */
    public CpuList online() {
        return online;
    }

    /** Where this came from: {@code sysfs}, or {@code fallback reason=...}. */
    public String source() {
        return source;
    }

    /** True when the topology was read from sysfs rather than assumed. */
    public boolean fromSysfs() {
        return source.startsWith("sysfs");
    }

    /** The node holding {@code cpu}, or the first node when unknown (never fails: it picks a slab sub-pool). */
    public int nodeOfCpu(int cpu) {
        int n = cpu >= 0 && cpu < nodeByCpu.length ? nodeByCpu[cpu] : -1;
        return n >= 0 ? n : nodes.getFirst().id();
    }

    /** Position of node {@code id} in {@link #nodes()}, or -1. */
    public int indexOfNode(int id) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).id() == id) {
                return i;
            }
        }
        return -1;
    }

    /** {@code nodes=2 cpus=0-7 node0=0-3 node1=4-7 source=sysfs}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("nodes=").append(nodes.size()).append(" cpus=").append(online);
        for (Node n : nodes) {
            b.append(" node").append(n.id()).append('=').append(n.cpus());
        }
        return b.append(" source=").append(source).toString();
    }
}
