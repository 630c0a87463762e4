package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** What the report says about the machine and the code: CPUs, kernel, memory, load, git revision. */
final class MachineInfo {
    private MachineInfo() {}

    static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CPU", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs (nproc)");
        m.put("kernel", read("/proc/sys/kernel/ostype") + " " + read("/proc/sys/kernel/osrelease") + " " + System.getProperty("os.arch"));
        String meminfo = read("/proc/meminfo");
        m.put("memory", gib(ProcParsers.statusKib(meminfo, "MemTotal")) + " total, " + gib(ProcParsers.statusKib(meminfo, "MemAvailable"))
                + " available at start");
        m.put("load average at start (1, 5, 15 min)", loadAverage());
        m.put("harness JVM", System.getProperty("java.vm.name") + " " + Runtime.version());
        return m;
    }

    static String loadAverage() {
        String[] f = read("/proc/loadavg").split("\\s+");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "?";
    }

    private static String cpuModel() {
        return read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
    }

    private static String gib(OptionalLong kib) {
        return kib.isPresent() ? Fmt.s("%.1f GiB", kib.getAsLong() / (1024.0 * 1024)) : "?";
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    /** Short revision, plus "dirty" when the working tree has uncommitted changes. */
    static String gitRevision(Path repo) {
        String rev = Processes.output(List.of("git", "rev-parse", "--short", "HEAD"), repo, 30);
        if (rev == null) {
            return "unknown (not a git checkout)";
        }
        String status = Processes.output(List.of("git", "status", "--porcelain"), repo, 60);
        return rev.trim() + (status == null || !status.isBlank() ? " dirty" : "");
    }
}
