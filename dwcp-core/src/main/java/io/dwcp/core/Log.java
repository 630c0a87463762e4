package io.dwcp.core;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * Minimal stderr logger: {@code HH:mm:ss.SSS LEVEL component key=value ...}. Quiet mode keeps warnings and
 * errors only; the CLI sets it for {@code send --json}.
 */
public final class Log {
    private static volatile boolean info = !"quiet".equals(System.getenv("DWCP_LOG"));
    private static volatile PrintStream out = System.err;

    private final String component;

    private Log(String component) {
        this.component = component;
    }

    public static Log of(String component) {
        return new Log(component);
    }

    public static void setInfo(boolean enabled) {
        info = enabled;
    }

    public void info(String msg) {
        if (info) {
            print("INFO ", msg);
        }
    }

    public void warn(String msg) {
        print("WARN ", msg);
    }

    public void error(String msg) {
        print("ERROR", msg);
    }

    private void print(String level, String msg) {
        out.println(LocalTime.now().format(Time.FORMAT) + ' ' + level + ' ' + component + ' ' + msg);
    }

    /** Built at the first line printed: a pattern costs milliseconds of a start that may print nothing. */
    private static final class Time {
        static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    }
}
