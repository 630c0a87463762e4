package io.dwcp.bench.e2e;

import java.util.Locale;
import java.util.OptionalLong;

/** Pure parsers for the /proc files and shell output the harness reads; no I/O, so they are unit-tested. */
final class ProcParsers {
    private ProcParsers() {}

    /** CPU fields of /proc/PID/stat, in clock ticks. */
    record StatTimes(long utime, long stime, long cutime, long cstime) {
        long self() {
            return utime + stime;
        }

        long children() {
            return cutime + cstime;
        }

        long all() {
            return self() + children();
        }
    }

    /**
     * Parses /proc/PID/stat. The command name (field 2) may hold spaces and parentheses, so fields are counted
     * from the last ')': after it come state (field 3) ... utime (14), stime (15), cutime (16), cstime (17).
     */
    static StatTimes parseStat(String line) {
        int close = line.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + abbreviate(line));
        }
        String[] f = line.substring(close + 1).trim().split("\\s+");
        if (f.length < 15) {
            throw new IllegalArgumentException("too few fields in /proc/PID/stat: " + abbreviate(line));
        }
        // f[0] is field 3 (state), so field N is f[N - 3].
        return new StatTimes(Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]));
    }

    /** A "Name:   1234 kB" field of /proc/PID/status, in KiB; empty when absent. */
    static OptionalLong statusKib(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                String[] parts = line.substring(name.length() + 1).trim().split("\\s+");
                return OptionalLong.of(Long.parseLong(parts[0]));
            }
        }
        return OptionalLong.empty();
    }

    /** True when /proc/net/tcp or tcp6 text shows a socket in LISTEN state (0A) on the local port. */
    static boolean listening(String procNetTcp, int port) {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        String[] lines = procNetTcp.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The output of bash's {@code times} builtin ("0m0.010s 0m0.002s" for the shell itself, then the same for
     * its reaped children), summed over both lines, in seconds.
     */
    static double bashTimesSeconds(String output) {
        double total = 0;
        int seen = 0;
        for (String token : output.trim().split("\\s+")) {
            if (token.isEmpty()) {
                continue;
            }
            int m = token.indexOf('m');
            if (m < 0 || !token.endsWith("s")) {
                throw new IllegalArgumentException("not bash 'times' output: " + abbreviate(output));
            }
            total += Long.parseLong(token.substring(0, m)) * 60.0
                    + Double.parseDouble(token.substring(m + 1, token.length() - 1));
            seen++;
        }
        if (seen != 4) {
            throw new IllegalArgumentException("expected 4 times in bash 'times' output: " + abbreviate(output));
        }
        return total;
    }

    static String abbreviate(String s) {
        String oneLine = s.replace('\n', ' ');
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }
}
