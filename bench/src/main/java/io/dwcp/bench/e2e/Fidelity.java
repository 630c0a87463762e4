package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether a copy of the generated tree kept everything rsync -aH keeps: content, modes, mtimes (to the
 * nanosecond where the file system has them), owners, symlinks and hard links. The Verifier's diff -r sees
 * only content, names and link targets; here {@code rsync -aHcn --itemize-changes --numeric-ids SRC/ DST/} lists
 * what a sync would still change, so an empty list is an exact copy. A copy that is not exact is reported with the
 * tool's timings, not turned into a failed run: its speed is still a measurement, of a copy that kept less.
 */
final class Fidelity {
    static final int SHOWN = 5;

    /** exact: rsync ran and listed nothing. error: rsync could not do the check (then exact is false). */
    record Result(String workload, String tool, String round, boolean exact, int lines, List<String> first, String error) {
        String describe() {
            if (error != null) {
                return "not checked: " + error;
            }
            if (exact) {
                return "exact";
            }
            return lines + " differing line(s), first: " + String.join("; ", first.stream().map(l -> "`" + l + "`").toList());
        }
    }

    private Fidelity() {}

    static List<String> command(Path src, Path dst) {
        return List.of("rsync", "-aHcn", "--itemize-changes", "--numeric-ids", src + "/", dst + "/");
    }

    static Result check(Workload w, Tool t, String round, Path src, Path dst, Path out, int timeoutSeconds) {
        if (!Files.isDirectory(dst)) {
            return new Result(w.name(), t.name(), round, false, 0, List.of(), dst.getFileName() + " missing at the destination");
        }
        try {
            Process p = Processes.start(command(src, dst), out, out);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                Processes.stop(p, "fidelity check");
                return new Result(w.name(), t.name(), round, false, 0, List.of(), "rsync -aHcn timed out after " + timeoutSeconds + " s");
            }
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank())
                    .map(l -> l.replace(src.toString(), "SRC").replace(dst.toString(), "DST")).toList();
            List<String> first = lines.subList(0, Math.min(SHOWN, lines.size())).stream().map(ProcParsers::abbreviate).toList();
            String error = p.exitValue() == 0 ? null : "rsync -aHcn exited with status " + p.exitValue()
                    + (first.isEmpty() ? "" : ": " + String.join("; ", first));
            return new Result(w.name(), t.name(), round, error == null && lines.isEmpty(), lines.size(), first, error);
        } catch (BenchException | IOException e) {
            return new Result(w.name(), t.name(), round, false, 0, List.of(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(w.name(), t.name(), round, false, 0, List.of(), "interrupted");
        }
    }

    /** One tool's verdict over its checked runs of a workload: exact only when every checked run was. */
    static String verdict(List<Result> results, String workload, String tool) {
        List<Result> mine = results.stream().filter(r -> r.workload().equals(workload) && r.tool().equals(tool)).toList();
        if (mine.isEmpty()) {
            return "not checked";
        }
        Result bad = mine.stream().filter(r -> !r.exact()).findFirst().orElse(null);
        if (bad == null) {
            return Fmt.s("exact (%d/%d runs)", mine.size(), mine.size());
        }
        long exact = mine.stream().filter(Result::exact).count();
        return Fmt.s("NOT exact (%d/%d runs exact); round %s: %s", exact, mine.size(), bad.round(), bad.describe());
    }

    static boolean allExact(List<Result> results, String workload, String tool) {
        List<Result> mine = results.stream().filter(r -> r.workload().equals(workload) && r.tool().equals(tool)).toList();
        return !mine.isEmpty() && mine.stream().allMatch(Result::exact);
    }
}
