package io.dwcp.core.codec;

/** The sender's compression policy ({@code --compress}). */
public enum CompressMode {
    /** LZ4 only on blocks where it pays, judged from the ratio recently achieved. */
    AUTO,
    /** LZ4 on every block whose compressed form is smaller than the raw block. */
    LZ4,
    /** Never compress. */
    OFF;

    public static CompressMode parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> AUTO;
            case "lz4" -> LZ4;
            case "off", "none" -> OFF;
            default -> throw new IllegalArgumentException("compress=" + s + " reason=unknown expected=auto|lz4|off");
        };
    }
}
