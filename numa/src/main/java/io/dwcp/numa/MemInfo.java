package io.dwcp.numa;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The huge-page figures of {@code /proc/meminfo} and the process's THP use from
 * {@code /proc/self/smaps_rollup}: what reports and tests check instead of assuming the kernel obliged.
 * Every field is -1 when its file or line is missing.
 *
 * @param hugePagesTotal   {@code HugePages_Total}: reserved persistent huge pages
 * @param hugePagesFree    {@code HugePages_Free}: of those, not faulted in by anyone
 * @param hugePageSize     {@code Hugepagesize}, in bytes
 * @param anonHugePages    {@code AnonHugePages} of this process (THP in use), in bytes
 */
public record MemInfo(long hugePagesTotal, long hugePagesFree, long hugePageSize, long anonHugePages) {
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final Path SMAPS_ROLLUP = Path.of("/proc/self/smaps_rollup");

    /** The figures now. */
    public static MemInfo read() {
        return read(MEMINFO, SMAPS_ROLLUP);
    }

    /** The figures from the given files (fakes in tests). */
    public static MemInfo read(Path meminfo, Path smapsRollup) {
        String mem = readOrEmpty(meminfo);
        String smaps = readOrEmpty(smapsRollup);
        return new MemInfo(field(mem, "HugePages_Total:", 1), field(mem, "HugePages_Free:", 1),
                field(mem, "Hugepagesize:", 1024), field(smaps, "AnonHugePages:", 1024));
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException | SecurityException e) {
            return "";
        }
    }

    /** The number after {@code key} at a line start, times {@code scale} (meminfo's kB are KiB); -1 if absent. */
    static long field(String text, String key, long scale) {
        int at = text.startsWith(key) ? 0 : text.indexOf("\n" + key);
        if (at < 0) {
            return -1;
        }
        int i = text.indexOf(key, at) + key.length();
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        long n = 0;
        int start = i;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            n = n * 10 + (text.charAt(i++) - '0');
        }
        return i == start ? -1 : n * scale;
    }

    /** Bytes of reserved huge pages nobody has faulted in yet; 0 when unknown. */
    public long hugeFreeBytes() {
        return hugePagesFree > 0 && hugePageSize > 0 ? hugePagesFree * hugePageSize : 0;
    }

    /** {@code hugetlb_total=8 hugetlb_free=8 hugepagesize=2MiB thp_anon=0B}. */
    @Override
    public String toString() {
        return "hugetlb_total=" + hugePagesTotal + " hugetlb_free=" + hugePagesFree + " hugepagesize="
                + (hugePageSize < 0 ? "unknown" : Bytes.format(hugePageSize)) + " thp_anon="
                + (anonHugePages < 0 ? "unknown" : Bytes.format(anonHugePages));
    }
}
