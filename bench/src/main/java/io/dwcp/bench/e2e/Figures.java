package io.dwcp.bench.e2e;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures a run records besides its timings, by name: what went over the wire and, for the crash-and-resume
 * workloads, the steps of the run. A name ending in {@code _bytes} is a byte count, in {@code _s} seconds, in
 * {@code _fraction} a fraction; any other is a count. Absent means not reported (by that tool, or by that dwcp:
 * counters are added to dwcp's --json result as its delta transfer grows, and they are picked up when they appear).
 */
final class Figures {
    /** dwcp: --json wire_bytes; rsync: --stats "Total bytes sent" (file list, checksums and protocol included). */
    static final String WIRE_BYTES = "wire_bytes";
    /** rsync --stats "Literal data": file bytes sent as they are, not matched in the receiver's basis. */
    static final String LITERAL_BYTES = "literal_bytes";
    /** rsync --stats "Matched data": file bytes the receiver took from its basis. */
    static final String MATCHED_BYTES = "matched_bytes";

    /** dwcp --json counters recorded when present, in this order. */
    static final List<String> DWCP_FIELDS = List.of(WIRE_BYTES, "delta_bytes", "pages_sent", "blocks_sent", "blocks_skipped",
            "blocks_unchanged");
    /** Further numeric dwcp --json fields recorded when a newer dwcp adds them (blocks_refined, resumed_bytes, ...). */
    static final Pattern DWCP_MORE = Pattern.compile("delta|page|skip|refine|resum|basis|base|reuse");

    /** Crash-and-resume: from the start of the first send to the kill. */
    static final String FIRST_SEND_S = "first_send_s";
    /** Crash-and-resume: the allocated bytes of the receiver's partial file at the poll that triggered the kill. */
    static final String ARRIVED_AT_KILL_BYTES = "arrived_at_kill_bytes";
    /** Crash-and-resume: what the receiver still held of the file after the crash, before the second send. */
    static final String KEPT_BYTES = "kept_after_crash_bytes";
    /** Crash-and-resume, server killed: from starting the server again until it listens. */
    static final String RESTART_S = "restart_s";
    /** Crash-and-resume: the second send, run to its end. */
    static final String RESUME_SEND_S = "resume_send_s";
    /** Crash-and-resume: the second send's wire bytes over the file's size. */
    static final String RESENT_FRACTION = "resent_fraction";

    private static final Pattern RSYNC_STAT = Pattern.compile("(?m)^(Literal data|Matched data|Total bytes sent):\\s*([0-9][0-9,.']*)");

    private Figures() {}

    /** The counters of a dwcp send --json result (the listed ones, then newer delta/resume ones), when present. */
    static Map<String, Double> fromDwcpJson(String json) {
        Map<String, Double> all = JsonFields.numbers(json);
        Map<String, Double> out = new LinkedHashMap<>();
        for (String f : DWCP_FIELDS) {
            if (all.containsKey(f)) {
                out.put(f, all.get(f));
            }
        }
        all.forEach((k, v) -> {
            if (!out.containsKey(k) && DWCP_MORE.matcher(k).find()) {
                out.put(k, v);
            }
        });
        return out;
    }

    /**
     * The byte counts of rsync --stats output ("Literal data: 21,474,836 bytes", "Total bytes sent: 22,563,112");
     * digit grouping is dropped whatever its character.
     */
    static Map<String, Double> fromRsyncStats(String output) {
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher m = RSYNC_STAT.matcher(output);
        while (m.find()) {
            String key = switch (m.group(1)) {
                case "Literal data" -> LITERAL_BYTES;
                case "Matched data" -> MATCHED_BYTES;
                default -> WIRE_BYTES;
            };
            out.put(key, Double.parseDouble(m.group(2).replaceAll("[^0-9]", "")));
        }
        Map<String, Double> ordered = new LinkedHashMap<>();
        for (String k : List.of(WIRE_BYTES, LITERAL_BYTES, MATCHED_BYTES)) {
            if (out.containsKey(k)) {
                ordered.put(k, out.get(k));
            }
        }
        return ordered;
    }

    static boolean isBytes(String name) {
        return name.endsWith("_bytes");
    }

    /** A column heading: the name with its unit (bytes are shown in MiB). */
    static String heading(String name) {
        return isBytes(name) ? name.substring(0, name.length() - "_bytes".length()) + " MiB" : name;
    }

    /** A value for a table: MiB with two decimals, seconds with three, a fraction with three, a count whole. */
    static String format(String name, Double v) {
        if (v == null) {
            return "n/a";
        }
        if (isBytes(name)) {
            return Fmt.s("%.2f", v / Fmt.MIB);
        }
        if (name.endsWith("_s") || name.endsWith("_fraction")) {
            return Fmt.s("%.3f", v);
        }
        return Fmt.s("%.0f", v);
    }

    /** "wire_bytes=1073799352 blocks_sent=1024" for the log. */
    static String describe(Map<String, Double> figures) {
        StringBuilder sb = new StringBuilder();
        figures.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=')
                .append(isBytes(k) || !(k.endsWith("_s") || k.endsWith("_fraction")) ? Fmt.s("%.0f", v) : Fmt.s("%.3f", v)));
        return sb.toString();
    }
}
