package io.dwcp.numa;

import java.util.Locale;

/** Byte counts as people write them: {@code 64MiB}, {@code 1056KiB}, {@code 512B}; and back. */
public final class Bytes {
    public static final long KIB = 1024;
    public static final long MIB = KIB * 1024;
    public static final long GIB = MIB * 1024;

    private Bytes() {
    }

    /** The largest unit that divides {@code bytes} exactly, so no figure is rounded in a report. */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % GIB == 0) {
            return bytes / GIB + "GiB";
        }
        if (bytes != 0 && bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        if (bytes != 0 && bytes % KIB == 0) {
            return bytes / KIB + "KiB";
        }
        return bytes + "B";
    }

    /**
     * Parses {@code 64MiB}, {@code 64m}, {@code 1g}, {@code 4096}.
     *
     * @throws IllegalArgumentException {@code bytes="x" reason=...}
     */
    public static long parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0 || i > 18) {
            throw new IllegalArgumentException("bytes=\"" + text + "\" reason=" + (i == 0 ? "not-a-number" : "too-large"));
        }
        long n = Long.parseLong(s.substring(0, i));
        long unit = switch (s.substring(i)) {
            case "", "b" -> 1;
            case "k", "kb", "kib" -> KIB;
            case "m", "mb", "mib" -> MIB;
            case "g", "gb", "gib" -> GIB;
            default -> throw new IllegalArgumentException("bytes=\"" + text + "\" reason=unknown-unit expected=KiB|MiB|GiB");
        };
        try {
            return Math.multiplyExact(n, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("bytes=\"" + text + "\" reason=too-large", e);
        }
    }

    /** {@code value} rounded up to a multiple of {@code unit} (a power of two). */
    public static long roundUp(long value, long unit) {
        return (value + unit - 1) & -unit;
    }
}
