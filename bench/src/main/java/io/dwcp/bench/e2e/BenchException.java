package io.dwcp.bench.e2e;

/** A run, a server or the set-up failed; the message is what the report and the console show. */
final class BenchException extends Exception {
    BenchException(String message) {
        super(message);
    }

    BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
