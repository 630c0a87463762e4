package io.dwcp.bench.e2e;

import java.util.Locale;

/** Number formatting for the report: Locale.ROOT always, "n/a" for what was not measured. */
final class Fmt {
    static final double GIB = 1024.0 * 1024 * 1024;
    static final double MIB = 1024.0 * 1024;

    private Fmt() {}

    static String num(Double v, int decimals) {
        return v == null || v.isNaN() || v.isInfinite() ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String num(Long v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%d", v);
    }

    static String ratio(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.2fx", v);
    }

    /** Bytes as MiB or GiB, whichever reads better. */
    static String size(long bytes) {
        return bytes >= GIB ? String.format(Locale.ROOT, "%.2f GiB", bytes / GIB)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / MIB);
    }

    static String s(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
