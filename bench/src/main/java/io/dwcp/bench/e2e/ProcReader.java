package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Live reads of /proc for CPU time, memory peaks and listening ports. */
final class ProcReader {
    private static volatile long clockTicks = 100;

    private ProcReader() {}

    /** Sets USER_HZ from `getconf CLK_TCK`, read once at start (it is 100 on every usual Linux). */
    static void init() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() == 0 && out.matches("\\d+")) {
                clockTicks = Long.parseLong(out);
            }
        } catch (IOException | InterruptedException e) {
            // keep 100
        }
    }

    static double ticksToSeconds(long ticks) {
        return (double) ticks / clockTicks;
    }

    static ProcParsers.StatTimes stat(long pid) throws IOException {
        return ProcParsers.parseStat(Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    /**
     * CPU of every child this JVM has reaped so far. The kernel adds a child's user+system time (with what that
     * child reaped) to its parent's cutime/cstime when the parent reaps it, and Process.waitFor() returns only
     * after the JVM has reaped the child: the delta around a client's waitFor() is the client's CPU.
     */
    static long selfChildrenTicks() throws IOException {
        return ProcParsers.parseStat(Files.readString(Path.of("/proc/self/stat"))).children();
    }

    static OptionalLong peakRssKib(long pid) {
        try {
            return ProcParsers.statusKib(Files.readString(Path.of("/proc/" + pid + "/status")), "VmHWM");
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** Resets VmHWM to the current RSS (clear_refs value 5; needs root or the same user and a 4.0+ kernel). */
    static boolean resetPeakRss(long pid) {
        try {
            Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** True while the process has live children (a forking server such as rsync still handling a connection). */
    static boolean hasChildren(long pid) {
        try {
            return !Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    static boolean listening(int port) {
        for (String f : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                if (ProcParsers.listening(Files.readString(Path.of(f)), port)) {
                    return true;
                }
            } catch (IOException e) {
                // no IPv6, say
            }
        }
        return false;
    }

    static String exe(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
        } catch (IOException e) {
            return "";
        }
    }
}
