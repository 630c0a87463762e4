package io.dwcp.bench.e2e;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress on stderr, so that stdout stays free for whoever pipes the harness. */
final class Log {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Log() {}

    static void info(String message) {
        System.err.println("[" + LocalTime.now().format(TIME) + "] transfer-bench: " + message);
    }
}
