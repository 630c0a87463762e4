package io.dwcp.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenTreeTargetsTest {
    private static final long BYTES = 1L << 30;
    private static final long NAMES = 102_000;

    private static List<Workload> workloads() throws BenchException {
        return BenchOptions.parse(new String[] {"--workloads", "gen-tree gen-tree-resend gen-tree-1pct gen-tree-checksum",
            "--files", "100000", "--tools", "dwcp rsync"}).workloads();
    }

    private static RunRecord run(String w, String tool, double wall) {
        return new RunRecord(w, tool, "1", true, null, BYTES, wall, null, 1.0, 1.0, 300 * 1024L, null, 200 * 1024L);
    }

    @Test
    void workloadsParseWithTheirResyncKinds() throws BenchException {
        List<Workload> ws = workloads();
        assertEquals(List.of("gen-tree", "gen-tree-resend", "gen-tree-1pct", "gen-tree-checksum"), ws.stream().map(Workload::name).toList());
        assertTrue(ws.get(0).checksFidelity() && !ws.get(1).checksFidelity());
        assertTrue(ws.get(2).rewrites() && ws.get(3).checksum());
        assertTrue(ws.stream().allMatch(w -> w.sourceKey().equals("gen-tree") && w.kind() == Workload.Kind.GEN_TREE));
        BenchOptions o = BenchOptions.parse(new String[] {"--dirs", "100", "--files", "2000", "--seed", "3"});
        assertEquals("FILES=2000 DIRS=100 SEED=3 bench/transfer-bench.sh", o.reproduceCommand());
    }

    @Test
    void targetsAndTheReportSectionUseMediansAndFidelity() throws BenchException {
        List<Workload> ws = workloads();
        List<RunRecord> runs = new ArrayList<>(List.of(
                run("gen-tree", "dwcp", 1.0), run("gen-tree", "rsync", 2.0), // 2.0x: PASS against 1.5x
                run("gen-tree-resend", "dwcp", 1.0), run("gen-tree-resend", "rsync", 0.9), // 0.9x: FAIL
                run("gen-tree-1pct", "dwcp", 0.5), run("gen-tree-1pct", "rsync", 0.5), // 1.0x: PASS
                run("gen-tree-checksum", "dwcp", 1.0), run("gen-tree-checksum", "rsync", 1.5))); // 1.5x: FAIL against 2x
        Map<String, Map<String, ToolSummary>> sums = new LinkedHashMap<>();
        Map<String, Source> sources = new LinkedHashMap<>();
        for (Workload w : ws) {
            Map<String, ToolSummary> byTool = new LinkedHashMap<>();
            for (String t : List.of("dwcp", "rsync")) {
                byTool.put(t, ToolSummary.of(w.name(), t, BYTES, NAMES, runs));
            }
            sums.put(w.name(), byTool);
            sources.put(w.name(), new Source(Path.of("/g"), BYTES, NAMES, 0, "seed 1: ..."));
        }
        List<Fidelity.Result> fidelity = List.of(
                new Fidelity.Result("gen-tree", "dwcp", "1", false, 1002, List.of(".L..t...... a/sl1 -> x"), null),
                new Fidelity.Result("gen-tree", "rsync", "1", true, 0, List.of(), null));
        List<Targets.Result> t = GenTreeTargets.evaluate(ws, sums, new GenTreeTargets.Run(100_000, 5_000, fidelity));
        assertEquals(List.of("PASS", "FAIL", "PASS", "FAIL", "FAIL"), t.stream().map(Targets.Result::status).toList(), t.toString());
        assertEquals("2.00x", t.get(0).measured());
        assertTrue(t.get(0).note().contains("dwcp's copy is not exact"), t.get(0).note());
        assertEquals("", t.get(1).note(), "the issue's size: not indicative");
        assertTrue(GenTreeTargets.evaluate(ws, sums, new GenTreeTargets.Run(2000, 100, fidelity)).get(1).note().contains("indicative"));

        String md = ReportWriter.write(new ReportWriter.Data("2026-12-01 00:00:00 UTC", "abc", "bench/transfer-bench.sh", Map.of(),
                Map.of(), List.of(), List.of(), ws, sources, sums, Targets.evaluate(ws, sums, new GenTreeTargets.Run(100_000, 5_000,
                fidelity)), runs, "0", Map.of("gen-tree-1pct", List.of("round 1: rewrote 1000 files, 10.0 MiB")), fidelity));
        // 102,000 names in a 1.0 s median; 2^30 bytes: 1073.7 MB/s; peaks 200 MiB client, 300 MiB server.
        assertTrue(md.contains("| dwcp | 1 | 1.000 | 102000 | 1073.7 | 200 | 300 | NOT exact (0/1 runs exact); round 1: 1002 differing"
                + " line(s), first: `.L..t...... a/sl1 -> x` |"), md);
        assertTrue(md.contains("| rsync | 1 | 2.000 | 51000 | 536.9 | 200 | 300 | exact (1/1 runs) |"), md);
        assertTrue(md.contains("- round 1: rewrote 1000 files, 10.0 MiB"), md);
        assertTrue(md.contains("| dwcp --checksum >= 2.0x rsync -c, gen-tree identical re-sync | 1.50x | FAIL |"), md);
    }
}
