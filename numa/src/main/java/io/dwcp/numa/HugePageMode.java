package io.dwcp.numa;

import java.util.Locale;

/**
 * {@code --hugepages auto|off|require}: {@code auto} takes reserved huge pages when there are enough, else
 * transparent huge pages, else plain pages; {@code off} takes plain pages; {@code require} takes reserved huge
 * pages or fails, naming the sysctl that would fix it.
 */
public enum HugePageMode {
    AUTO, OFF, REQUIRE;

    /** @throws IllegalArgumentException {@code hugepages="x" reason=unknown-mode expected=auto|off|require} */
    public static HugePageMode parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "off" -> OFF;
            case "require" -> REQUIRE;
            default -> throw new IllegalArgumentException("hugepages=\"" + value.strip()
                    + "\" reason=unknown-mode expected=auto|off|require");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
