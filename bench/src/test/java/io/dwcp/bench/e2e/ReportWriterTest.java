package io.dwcp.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportWriterTest {
    private static final long GIB = 1L << 30;

    private static RunRecord run(String w, String tool, String round, double wall, Double server, Long peakKib, Long heap) {
        return new RunRecord(w, tool, round, true, null, 4 * GIB, wall, wall * 0.9, 1.0, server, peakKib, heap, null);
    }

    private static Map<String, Map<String, ToolSummary>> summaries(List<Workload> ws, List<RunRecord> runs, long files) {
        Map<String, Map<String, ToolSummary>> m = new LinkedHashMap<>();
        for (Workload w : ws) {
            Map<String, ToolSummary> byTool = new LinkedHashMap<>();
            for (String t : List.of("dwcp", "dwcp-portable", "iperf3", "rsync")) {
                byTool.put(t, ToolSummary.of(w.name(), t, w.isFile() ? 4 * GIB : 200L << 20, w.isFile() ? 1 : files, runs));
            }
            m.put(w.name(), byTool);
        }
        return m;
    }

    private static List<Workload> workloads() {
        return List.of(new Workload("file-4096M", Workload.Kind.FILE, 4096, false, "file-4096"),
                new Workload("tree", Workload.Kind.TREE, 0, false, "tree"),
                new Workload("tree-resend", Workload.Kind.TREE, 0, true, "tree"));
    }

    private static List<RunRecord> runs() {
        List<RunRecord> runs = new ArrayList<>();
        for (String r : List.of("1", "2", "3")) {
            runs.add(run("file-4096M", "dwcp", r, 3.0, 2.0, 300 * 1024L, 1024L));
            runs.add(run("file-4096M", "iperf3", r, 3.2, 1.0, null, null));
            runs.add(run("file-4096M", "rsync", r, 4.5, 2.0, null, null));
            runs.add(run("tree", "dwcp", r, 1.0, 0.5, 600 * 1024L, null));
            runs.add(run("tree-resend", "dwcp", r, 0.5, 0.1, 100 * 1024L, null));
        }
        runs.add(RunRecord.failed("file-4096M", "dwcp-portable", "setup", "dwcp-portable server exited: Unknown option: '--io' | x"));
        return runs;
    }

    @Test
    void targetsPassAndFailOnTheMedians() {
        List<Targets.Result> t = Targets.evaluate(workloads(), summaries(workloads(), runs(), 50_000));
        assertEquals("PASS", t.get(0).status(), "3.2/3.0 > 0.9: " + t.get(0));
        assertEquals("1.07x", t.get(0).measured());
        assertEquals("PASS", t.get(1).status(), "4.5/3.0 = 1.5 >= 1.4: " + t.get(1));
        assertEquals("1.50x", t.get(1).measured());
        assertTrue(t.get(2).note().contains("indicative"), "no 1 GiB workload: measured on the 4 GiB one");
        assertEquals("PASS", t.get(3).status()); // 300 MiB
        assertEquals("FAIL", t.get(4).status()); // tree: 600 MiB
        assertEquals("PASS", t.get(5).status()); // resend: 100 MiB
        assertEquals("PASS", t.get(6).status()); // 1024 B per 4 GiB
        assertEquals("n/a", t.get(7).status()); // tree: no heap field
        assertTrue(t.get(7).note().contains("data_heap_alloc_bytes"));
    }

    @Test
    void reportHasTheSectionsAndRootLocaleNumbers() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY); // decimal commas would break the tables
        try {
            List<Workload> ws = workloads();
            List<RunRecord> runs = runs();
            var sums = summaries(ws, runs, 500);
            Map<String, Source> sources = new LinkedHashMap<>();
            sources.put("file-4096M", new Source(Path.of("/x"), 4 * GIB, 1));
            sources.put("tree", new Source(Path.of("/t"), 200L << 20, 500));
            sources.put("tree-resend", new Source(Path.of("/t"), 200L << 20, 500));
            String md = ReportWriter.write(new ReportWriter.Data("2026-12-01 00:00:00 UTC", "abc123 dirty",
                    "SIZE_MIB=64 bench/transfer-bench.sh", Map.of("CPU", "Test CPU, 2 CPUs"), Map.of("rsync", "rsync 3.2"),
                    List.of("timed rounds: 3"), List.of("dwcp: ..."), ws, sources, sums, Targets.evaluate(ws, sums), runs, "0.1 0.2 0.3",
                    Map.of(), List.of()));
            assertTrue(md.contains("git `abc123 dirty`"));
            assertTrue(md.contains("SIZE_MIB=64 bench/transfer-bench.sh"));
            assertTrue(md.contains("## Targets"));
            assertTrue(md.contains("## Workload `tree-resend`"));
            assertTrue(md.contains("| dwcp / iperf3 | 1.07x |"), md);
            assertTrue(md.contains("| dwcp / rsync | 1.50x |"), md);
            assertTrue(md.contains("indicative: this tree has 500 files"), md);
            // 4 GiB in a 3.0 s median: 1.432 GB/s; CPU 1.0 + 2.0 s over 4 GiB: 0.75 CPU-s/GiB.
            assertTrue(md.contains("| dwcp | 3 | 0 | 3.000 (3.000-3.000) | 1.432 |"), md);
            assertTrue(md.contains("| 0.25 | 0.50 | 0.75 | 300 | n/a | 0.3 |"), md);
            assertTrue(md.contains("## Failed runs"));
            assertTrue(md.contains("Unknown option: '--io' \\| x"), "a | in an error must not split the table row");
            assertTrue(!md.contains("1,432"), "numbers use Locale.ROOT");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void reproduceCommandListsOnlyChangedSettings() throws Exception {
        BenchOptions o = BenchOptions.parse(new String[] {"--size-mib", "64 1024", "--runs=2", "--tools", "dwcp rsync"});
        assertEquals("SIZE_MIB='64 1024' RUNS=2 TOOLS='dwcp rsync' bench/transfer-bench.sh", o.reproduceCommand());
        assertEquals(List.of("file-64M", "file-1024M", "tree", "tree-resend"), o.workloads().stream().map(Workload::name).toList());
        assertEquals("bench/transfer-bench.sh", BenchOptions.parse(new String[0]).reproduceCommand());
    }

    @Test
    void badOptionsGiveClearErrors() {
        BenchException e = org.junit.jupiter.api.Assertions.assertThrows(BenchException.class,
                () -> BenchOptions.parse(new String[] {"--tools", "dwcp scp"}));
        assertTrue(e.getMessage().contains("unknown tool 'scp'"));
        e = org.junit.jupiter.api.Assertions.assertThrows(BenchException.class,
                () -> BenchOptions.parse(new String[] {"--workloads", "real-tree"}));
        assertTrue(e.getMessage().contains("REAL_TREE"));
        e = org.junit.jupiter.api.Assertions.assertThrows(BenchException.class, () -> BenchOptions.parse(new String[] {"--runs", "0"}));
        assertTrue(e.getMessage().contains("RUNS"));
    }
}
