package io.dwcp.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The harness's settings. Each option has the environment variable that bench/transfer-bench.sh maps to it,
 * so that the report can print the command that reproduces a run in the form people type.
 */
final class BenchOptions {
    static final List<String> ALL_TOOLS = List.of("dwcp", "dwcp-portable", "iperf3", "rsync", "cp", "dd");
    /**
     * Tools that run only when named: dwcp-inplace sends with --inplace (for the delta workloads), dwcp-splice runs
     * its server with --io splice.
     */
    static final List<String> KNOWN_TOOLS =
            List.of("dwcp", "dwcp-portable", "dwcp-inplace", "dwcp-splice", "iperf3", "rsync", "cp", "dd");
    static final List<String> ALL_WORKLOADS = List.of("file", "tree", "tree-resend", "real-tree", "real-tree-resend", "gen-tree",
            "gen-tree-resend", "gen-tree-1pct", "gen-tree-checksum", "file-delta-1pct", "file-delta-base", "file-resume-sender",
            "file-resume-server");
    /** The file size of the delta and resume workloads when SIZE_MIB is not set (the 2 GiB). */
    static final int DELTA_SIZE_MIB = 2048;

    private record Opt(String env, String defaultValue, String help) {}

    private static final Map<String, Opt> OPTS = new LinkedHashMap<>();

    static {
        opt("size-mib", "SIZE_MIB", "4096", "file size(s) in MiB, e.g. \"4096 1024\": one file workload each (file-delta-*"
                + " and file-resume-*: " + DELTA_SIZE_MIB + " when SIZE_MIB is not set)");
        opt("files", "FILES", "50000", "files in the generated trees: tree (PER_DIR per directory, 0-8 KiB, 4 KiB mean)"
                + " and gen-tree (the issue's 100000: about 1 GiB)");
        opt("per-dir", "PER_DIR", "100", "files per directory of the tree workloads (FILES for one flat directory)");
        opt("dirs", "DIRS", "5000", "directories in gen-tree (a random tree, depth <= 8)");
        opt("seed", "SEED", "1", "seed of gen-tree (names, sizes, contents, modes, times, links; the 1% rewrites) and of the"
                + " pages file-delta-* rewrites");
        opt("workloads", "WORKLOADS", "file tree tree-resend", String.join(" ", ALL_WORKLOADS));
        opt("real-tree", "REAL_TREE", "", "a directory (e.g. /usr/lib) copied to tmpfs for the real-tree workloads");
        opt("runs", "RUNS", "5", "timed rounds per workload");
        opt("warmup", "WARMUP", "1", "untimed warm-up rounds per workload");
        opt("streams", "STREAMS", "auto", "dwcp send -P N|auto");
        opt("tools", "TOOLS", String.join(" ", ALL_TOOLS), "tools to compare");
        opt("dwcp", "DWCP", "./dwcp", "the dwcp launcher");
        opt("dwcp-port", "DWCP_PORT", "17400", "dwcp control port (dwcp-portable uses +2)");
        opt("dwcp-data-port", "DWCP_DATA_PORT", "17401", "dwcp data port (dwcp-portable uses +2)");
        opt("rsync-port", "RSYNC_PORT", "18730", "rsync daemon port");
        opt("iperf-port", "IPERF_PORT", "15201", "iperf3 server port");
        opt("serve-args", "DWCP_SERVE_ARGS", "", "extra arguments for dwcp serve");
        opt("send-args", "DWCP_SEND_ARGS", "", "extra arguments for dwcp send");
        opt("run-timeout", "RUN_TIMEOUT", "600", "seconds before one run is killed");
        opt("ready-timeout", "READY_TIMEOUT", "120", "seconds for a server to listen");
        opt("results", "RESULTS", "bench/RESULTS.md", "the markdown report");
        opt("workdir-base", "WORKDIR_BASE", "/dev/shm", "where sources and destinations live (tmpfs)");
        opt("keep-workdir", "KEEP_WORKDIR", "0", "1: keep the work directory and logs");
    }

    private static void opt(String name, String env, String def, String help) {
        OPTS.put(name, new Opt(env, def, help));
    }

    private final Map<String, String> values = new LinkedHashMap<>();
    /** The options given on the command line (bench/transfer-bench.sh passes only the variables that are set). */
    private final java.util.Set<String> given = new java.util.HashSet<>();

    private BenchOptions() {
        OPTS.forEach((k, o) -> values.put(k, o.defaultValue()));
    }

    /** Parses "--name value" and "--name=value". */
    static BenchOptions parse(String[] args) throws BenchException {
        BenchOptions o = new BenchOptions();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new BenchException(usage());
            }
            if (!a.startsWith("--")) {
                throw new BenchException("unexpected argument '" + a + "'\n" + usage());
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new BenchException("option --" + name + " needs a value");
            }
            if (!OPTS.containsKey(name)) {
                throw new BenchException("unknown option --" + name + "\n" + usage());
            }
            o.values.put(name, value.trim());
            o.given.add(name);
        }
        o.validate();
        return o;
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: TransferBench [--option value]...  (env var in bench/transfer-bench.sh)\n");
        OPTS.forEach((k, o) -> sb.append(Fmt.s("  --%-15s %-16s %s (default: '%s')%n", k, o.env(), o.help(), o.defaultValue())));
        sb.append("""
                gen-tree workloads (one seeded tree, FILES files in DIRS directories, made by io.dwcp.bench.e2e.TreeGenerator):
                  gen-tree           first copy into an empty destination; every copy checked with rsync -aHcn (fidelity)
                  gen-tree-resend    identical re-sync into the copy the same tool made
                  gen-tree-1pct      re-sync after 1% of the files are rewritten (same size, new content and mtime) each round
                  gen-tree-checksum  identical re-sync comparing content: dwcp send --checksum, rsync -c
                e.g. WORKLOADS="gen-tree gen-tree-resend gen-tree-1pct gen-tree-checksum" FILES=100000 DIRS=5000 bench/transfer-bench.sh
                delta and resume workloads (one file of SIZE_MIB, 2048 when unset; results compared byte for byte):
                  file-delta-1pct    the destination holds OLD, the source is NEW = OLD with 1% of its 4 KiB pages rewritten
                                     (seeded); OLD restored untimed before every run; dwcp send against rsync --no-whole-file
                  file-delta-base    the same, dwcp told the sender's copy of OLD: dwcp send --base OLD NEW (rsync as above)
                  file-resume-sender a send SIGKILLed when half the file is at the receiver, then run again to its end
                  file-resume-server the server SIGKILLed there and restarted on the same root, then the send again (dwcp only)
                e.g. WORKLOADS="file-delta-1pct file-delta-base file-resume-sender file-resume-server" SIZE_MIB=2048 TOOLS="dwcp rsync" \\
                       RUNS=3 RESULTS=bench/RESULTS-DELTA.md bench/transfer-bench.sh
                """);
        return sb.toString();
    }

    private void validate() throws BenchException {
        for (int s : sizesMib()) {
            if (s <= 0) {
                throw new BenchException("SIZE_MIB values must be > 0, got " + s);
            }
        }
        positive("files", 1);
        positive("per-dir", 1);
        positive("dirs", 1);
        try {
            Long.parseLong(get("seed"));
        } catch (NumberFormatException e) {
            throw new BenchException("SEED must be an integer, got '" + get("seed") + "'");
        }
        positive("runs", 1);
        positive("warmup", 0);
        positive("run-timeout", 1);
        positive("ready-timeout", 1);
        for (String p : List.of("dwcp-port", "dwcp-data-port", "rsync-port", "iperf-port")) {
            int v = positive(p, 1);
            if (v > 65533) {
                throw new BenchException(OPTS.get(p).env() + " must be below 65534, got " + v);
            }
        }
        String streams = get("streams");
        if (!streams.equals("auto") && !streams.matches("[1-9][0-9]*")) {
            throw new BenchException("STREAMS must be auto or a positive number, got '" + streams + "'");
        }
        if (tools().isEmpty()) {
            throw new BenchException("TOOLS is empty");
        }
        for (String t : tools()) {
            if (!KNOWN_TOOLS.contains(t)) {
                throw new BenchException("unknown tool '" + t + "' (known: " + String.join(" ", KNOWN_TOOLS) + ")");
            }
        }
        if (tools().stream().distinct().count() != tools().size()) {
            throw new BenchException("a tool is listed twice in TOOLS: " + tools());
        }
        for (String w : workloadNames()) {
            if (!ALL_WORKLOADS.contains(w)) {
                throw new BenchException("unknown workload '" + w + "' (known: " + String.join(" ", ALL_WORKLOADS) + ")");
            }
            if (w.startsWith("real-tree") && realTree() == null) {
                throw new BenchException("workload " + w + " needs REAL_TREE=DIR (e.g. /usr/lib)");
            }
        }
    }

    private int positive(String name, int min) throws BenchException {
        try {
            int v = Integer.parseInt(get(name));
            if (v >= min) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BenchException(OPTS.get(name).env() + " must be an integer >= " + min + ", got '" + get(name) + "'");
    }

    String get(String name) {
        return values.get(name);
    }

    private int integer(String name) {
        return Integer.parseInt(get(name));
    }

    private static List<String> words(String s) {
        String t = s.trim();
        return t.isEmpty() ? List.of() : Arrays.asList(t.split("[\\s,]+"));
    }

    List<Integer> sizesMib() throws BenchException {
        return sizesMib(0);
    }

    /** The SIZE_MIB sizes; unsetDefault (when > 0) instead of the default when SIZE_MIB was not given. */
    List<Integer> sizesMib(int unsetDefault) throws BenchException {
        if (unsetDefault > 0 && !given.contains("size-mib")) {
            return List.of(unsetDefault);
        }
        List<Integer> out = new ArrayList<>();
        for (String w : words(get("size-mib"))) {
            try {
                out.add(Integer.parseInt(w));
            } catch (NumberFormatException e) {
                throw new BenchException("SIZE_MIB must be numbers of MiB, got '" + get("size-mib") + "'");
            }
        }
        if (out.isEmpty()) {
            throw new BenchException("SIZE_MIB is empty");
        }
        return out;
    }

    /** The workload names; REAL_TREE alone (WORKLOADS left at its default) adds real-tree. */
    List<String> workloadNames() {
        List<String> w = new ArrayList<>(words(get("workloads")));
        if (get("workloads").equals(OPTS.get("workloads").defaultValue()) && realTree() != null) {
            w.add("real-tree");
        }
        return w;
    }

    /** The workloads in order: one file workload per size, trees with their resends right after them. */
    List<Workload> workloads() throws BenchException {
        List<Workload> out = new ArrayList<>();
        for (String name : workloadNames()) {
            switch (name) {
                case "file" -> {
                    for (int s : sizesMib()) {
                        out.add(new Workload("file-" + s + "M", Workload.Kind.FILE, s, false, "file-" + s));
                    }
                }
                case "tree" -> out.add(new Workload("tree", Workload.Kind.TREE, 0, false, "tree"));
                case "tree-resend" -> out.add(new Workload("tree-resend", Workload.Kind.TREE, 0, true, "tree"));
                case "real-tree" -> out.add(new Workload("real-tree", Workload.Kind.REAL_TREE, 0, false, "real-tree"));
                case "real-tree-resend" ->
                        out.add(new Workload("real-tree-resend", Workload.Kind.REAL_TREE, 0, true, "real-tree"));
                // One source for the four: gen-tree-1pct rewrites files in place, which leaves it a valid tree.
                case "gen-tree" -> out.add(new Workload(name, Workload.Kind.GEN_TREE, 0, false, "gen-tree"));
                case "gen-tree-resend" -> out.add(new Workload(name, Workload.Kind.GEN_TREE, 0, true, "gen-tree"));
                case "gen-tree-1pct" ->
                        out.add(new Workload(name, Workload.Kind.GEN_TREE, 0, true, "gen-tree", Workload.Resync.REWRITE_1PCT));
                case "gen-tree-checksum" ->
                        out.add(new Workload(name, Workload.Kind.GEN_TREE, 0, true, "gen-tree", Workload.Resync.CHECKSUM));
                // One file pair per size for both delta workloads; the resume workloads copy the plain file of that size.
                case "file-delta-1pct", "file-delta-base", "file-resume-sender", "file-resume-server" -> {
                    List<Integer> sizes = sizesMib(DELTA_SIZE_MIB);
                    for (int s : sizes) {
                        String n = sizes.size() == 1 ? name : name + "-" + s + "M";
                        out.add(switch (name) {
                            case "file-delta-1pct" -> new Workload(n, Workload.Kind.FILE_PAIR, s, false, "file-delta-" + s,
                                    Workload.Resync.OLD_VERSION);
                            case "file-delta-base" -> new Workload(n, Workload.Kind.FILE_PAIR, s, false, "file-delta-" + s,
                                    Workload.Resync.OLD_VERSION_BASE);
                            case "file-resume-sender" -> new Workload(n, Workload.Kind.FILE, s, false, "file-" + s,
                                    Workload.Resync.IDENTICAL, Workload.Crash.SENDER);
                            default -> new Workload(n, Workload.Kind.FILE, s, false, "file-" + s, Workload.Resync.IDENTICAL,
                                    Workload.Crash.SERVER);
                        });
                    }
                }
                default -> throw new BenchException("unknown workload " + name);
            }
        }
        return out;
    }

    int files() { return integer("files"); }
    int perDir() { return integer("per-dir"); }
    int dirs() { return integer("dirs"); }
    long seed() { return Long.parseLong(get("seed")); }
    int runs() { return integer("runs"); }
    int warmup() { return integer("warmup"); }
    String streams() { return get("streams"); }
    List<String> tools() { return words(get("tools")); }
    String dwcp() { return get("dwcp"); }
    int dwcpPort() { return integer("dwcp-port"); }
    int dwcpDataPort() { return integer("dwcp-data-port"); }
    int rsyncPort() { return integer("rsync-port"); }
    int iperfPort() { return integer("iperf-port"); }
    List<String> serveArgs() { return words(get("serve-args")); }
    List<String> sendArgs() { return words(get("send-args")); }
    int runTimeoutSeconds() { return integer("run-timeout"); }
    int readyTimeoutSeconds() { return integer("ready-timeout"); }
    Path results() { return Path.of(get("results")); }
    Path workdirBase() { return Path.of(get("workdir-base")); }
    boolean keepWorkdir() { return get("keep-workdir").equals("1") || get("keep-workdir").equalsIgnoreCase("true"); }

    Path realTree() {
        return get("real-tree").isEmpty() ? null : Path.of(get("real-tree"));
    }

    /** The settings that differ from the defaults, as environment assignments before bench/transfer-bench.sh. */
    String reproduceCommand() {
        StringBuilder sb = new StringBuilder();
        OPTS.forEach((k, o) -> {
            if (!values.get(k).equals(o.defaultValue())) {
                sb.append(o.env()).append('=').append(shellQuote(values.get(k))).append(' ');
            }
        });
        return sb.append("bench/transfer-bench.sh").toString();
    }

    static String shellQuote(String v) {
        return v.matches("[A-Za-z0-9_./:,=+-]+") ? v : "'" + v.replace("'", "'\\''") + "'";
    }
}
