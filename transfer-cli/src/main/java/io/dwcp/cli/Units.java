package io.dwcp.cli;

import java.util.Locale;

/** Parsing and printing of sizes, rates and durations for humans. */
final class Units {
    private Units() {
    }

    /** Parses {@code 123}, {@code 64K}, {@code 1M}, {@code 2G} (binary multiples). */
    static long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        long mult = 1;
        if (!t.isEmpty()) {
            char u = t.charAt(t.length() - 1);
            mult = switch (u) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                case 'T' -> 1L << 40;
                default -> 1;
            };
            if (mult != 1) {
                t = t.substring(0, t.length() - 1);
            }
        }
        try {
            long v = Long.parseLong(t);
            if (v < 0 || v > Long.MAX_VALUE / mult) {
                throw new IllegalArgumentException("size=" + s + " reason=out-of-range");
            }
            return v * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size=" + s + " reason=not-a-size expected=e.g.1M");
        }
    }

    static String bytes(double b) {
        String[] u = {"B", "KiB", "MiB", "GiB", "TiB"};
        int i = 0;
        while (b >= 1024 && i < u.length - 1) {
            b /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, i == 0 ? "%.0f %s" : "%.2f %s", b, u[i]);
    }

    static String rate(double bytesPerSecond) {
        return String.format(Locale.ROOT, "%.2f GB/s", bytesPerSecond / 1e9);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
