package io.dwcp.engine.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.ConfinedRoot;
import io.dwcp.zerocopy.FileStat;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListingStatsTest {
    /** The reader takes stats in order while helpers make chunks ahead of it: each name gets its own, once. */
    @Test
    void helpersAndTheReaderShareTheChunksAndEveryNameGetsItsOwnStat(@TempDir Path dir) throws Exception {
        int n = ListingStats.CHUNK * 9 + 17;
        String[] names = new String[n + 1];
        for (int i = 0; i < n; i++) {
            names[i] = String.format(Locale.ROOT, "f%05d", i);
            Files.write(dir.resolve(names[i]), new byte[i]);
        }
        names[n] = "vanished"; // listed, then gone before its stat
        java.util.Arrays.sort(names);
        for (IoMode mode : new IoMode[] {IoMode.AUTO, IoMode.PORTABLE}) {
            for (int helpers = 0; helpers <= 3; helpers++) {
                try (ConfinedRoot root = IoPaths.select(mode).openRoot(dir);
                        ConfinedDirectory d = root.openDirectory("")) {
                    ListingStats stats = new ListingStats(d, names);
                    List<Thread> threads = new ArrayList<>();
                    for (int h = 0; h < helpers; h++) {
                        threads.add(Thread.ofPlatform().start(stats::help));
                    }
                    for (int i = 0; i < names.length; i++) {
                        FileStat s = stats.get(i);
                        if (names[i].equals("vanished")) {
                            assertNull(s);
                        } else {
                            assertEquals(Integer.parseInt(names[i].substring(1)), s.size(), mode + " " + names[i]);
                        }
                    }
                    for (Thread t : threads) {
                        t.join();
                    }
                }
            }
        }
    }
}
