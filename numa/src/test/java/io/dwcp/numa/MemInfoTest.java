package io.dwcp.numa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemInfoTest {

    @Test
    void readsTheHugePageLines(@TempDir Path dir) throws IOException {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), """
                MemTotal:       24610420 kB
                AnonHugePages:         0 kB
                HugePages_Total:      16
                HugePages_Free:       12
                HugePages_Rsvd:        0
                Hugepagesize:       2048 kB
                """);
        Path smaps = Files.writeString(dir.resolve("smaps_rollup"), "Rss: 100 kB\nAnonHugePages:   4096 kB\n");
        MemInfo m = MemInfo.read(meminfo, smaps);
        assertEquals(new MemInfo(16, 12, 2 * Bytes.MIB, 4 * Bytes.MIB), m);
        assertEquals(24 * Bytes.MIB, m.hugeFreeBytes());
        assertEquals("hugetlb_total=16 hugetlb_free=12 hugepagesize=2MiB thp_anon=4MiB", m.toString());
    }

    @Test
    void missingFilesAreUnknownNotZero(@TempDir Path dir) {
        MemInfo m = MemInfo.read(dir.resolve("none"), dir.resolve("none"));
        assertEquals(new MemInfo(-1, -1, -1, -1), m);
        assertEquals(0, m.hugeFreeBytes());
    }

    @Test
    void bytesFormatAndParse() {
        assertEquals("64MiB", Bytes.format(64 * Bytes.MIB));
        assertEquals("1032KiB", Bytes.format(Bytes.MIB + 8 * Bytes.KIB));
        assertEquals("100B", Bytes.format(100));
        assertEquals(64 * Bytes.MIB, Bytes.parse("64MiB"));
        assertEquals(Bytes.GIB, Bytes.parse("1g"));
        assertEquals(4096, Bytes.parse("4096"));
        assertThrows(IllegalArgumentException.class, () -> Bytes.parse("12 parsecs"));
        assertThrows(IllegalArgumentException.class, () -> Bytes.parse("MiB"));
    }

    @Test
    void modesParse() {
        assertEquals(HugePageMode.REQUIRE, HugePageMode.parse("Require"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HugePageMode.parse("yes"));
        assertEquals("hugepages=\"yes\" reason=unknown-mode expected=auto|off|require", e.getMessage());
    }
}
