package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code serve --part-max-age}: part files nobody resumed are removed by a real server process soon after it starts
 * (in the background: it listens first), young ones and other files stay, {@code off} keeps everything, and bad
 * values are usage errors naming the option.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PartMaxAgeTest {
    @TempDir
    Path tmp;

    private static Path file(Path p, int size, Instant mtime) throws Exception {
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[size]);
        Files.setLastModifiedTime(p, FileTime.from(mtime));
        return p;
    }

    private static boolean gone(Path p, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (Files.exists(p) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return !Files.exists(p);
    }

    @Test
    void aServerRemovesOldPartFilesSoonAfterItStartsAndKeepsTheRest() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Instant now = Instant.now();
        Path old = file(root.resolve("vm/disk.img.dwcp-part"), 4096, now.minus(Duration.ofHours(3)));
        Path oldTop = file(root.resolve("top.bin.dwcp-part"), 100, now.minus(Duration.ofDays(30)));
        Path fresh = file(root.resolve("vm/other.img.dwcp-part"), 10, now);
        Path data = file(root.resolve("vm/old.img"), 10, now.minus(Duration.ofDays(30)));
        try (Harness.ServerProcess s = Harness.ServerProcess.serve(root, "--part-max-age", "1h")) {
            assertTrue(gone(old, Duration.ofSeconds(10)), "an old part file goes within seconds of start\n" + s.log());
            assertTrue(gone(oldTop, Duration.ofSeconds(5)), s.log());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!s.log().contains("sweep removed=") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            String log = s.log();
            assertTrue(Files.exists(fresh), "a part file younger than the age stays\n" + log);
            assertTrue(Files.exists(data), "only part files are swept\n" + log);
            assertTrue(log.contains("part_sweep max_age=1h every=1h"), log);
            assertTrue(log.contains("sweep removed=2 bytes=4196 scanned_dirs=2 took_ms="), log);
            assertTrue(log.contains("swept path=\"vm/disk.img.dwcp-part\" bytes=4096 age=3h"), log);
            assertTrue(log.indexOf("listening control=") < log.indexOf("sweep removed="),
                    "the server listens before the first sweep ends\n" + log);
            assertTrue(s.alive(), log);
        }
    }

    @Test
    void aOneSecondAgeSweepsEveryPartFileOlderThanThat() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path old = file(root.resolve("a/b.dwcp-part"), 1, Instant.now().minus(Duration.ofMinutes(5)));
        Path ahead = file(root.resolve("a/c.dwcp-part"), 1, Instant.now().plus(Duration.ofHours(1)));
        try (Harness.ServerProcess s = Harness.ServerProcess.serve(root, "--part-max-age", "1s")) {
            assertTrue(gone(old, Duration.ofSeconds(10)), s.log());
            assertTrue(Files.exists(ahead), "a part file written 'later' than now is not old\n" + s.log());
        }
    }

    @Test
    void offKeepsPartFilesForever() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path old = file(root.resolve("a.dwcp-part"), 1, Instant.now().minus(Duration.ofDays(365)));
        try (Harness.ServerProcess s = Harness.ServerProcess.serve(root, "--part-max-age", "off")) {
            Thread.sleep(1500);
            assertTrue(Files.exists(old), s.log());
            assertFalse(s.log().contains("sweep"), s.log());
        }
    }

    @ParameterizedTest(name = "[{index}] dwcp {0} --part-max-age {1}")
    @CsvSource({
        "serve, xyz, part-max-age=xyz reason=not-a-duration",
        "serve, 5, part-max-age=5 reason=missing-unit",
        "serve, -1d, part-max-age=-1d reason=not-a-duration",
        "serve, 99999d, part-max-age=99999d reason=out-of-range",
        "recv, 7w, part-max-age=7w reason=not-a-duration"})
    void badValuesAreUsageErrors(String command, String value, String mentions) throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        List<String> args = command.equals("serve")
                ? List.of("serve", "--root", root.toString(), "--listen", "127.0.0.1:0", "--data-port", "0",
                        "--part-max-age", value)
                : List.of("recv", "--listen", "127.0.0.1:0", "--data-port", "0", "--part-max-age", value,
                        root.toString());
        Harness.Result r = Harness.run(Duration.ofSeconds(30), args);
        r.assertExit(1);
        assertTrue(r.err().contains("dwcp: " + mentions), "stderr must say '" + mentions + "'\n" + r);
    }

    @Test
    void parsesDurations() {
        assertEquals(Duration.ofDays(7), ServerOptions.partMaxAge("7d"));
        assertEquals(Duration.ofHours(12), ServerOptions.partMaxAge("12h"));
        assertEquals(Duration.ofMinutes(30), ServerOptions.partMaxAge("30m"));
        assertEquals(Duration.ofSeconds(1), ServerOptions.partMaxAge("1s"));
        assertEquals(Duration.ofHours(12), ServerOptions.partMaxAge(" 12H "));
        assertEquals(Duration.ZERO, ServerOptions.partMaxAge("0"));
        assertEquals(Duration.ZERO, ServerOptions.partMaxAge("off"));
        assertEquals(Duration.ZERO, ServerOptions.partMaxAge("0d"));
        assertEquals(Duration.ofDays(3650), ServerOptions.partMaxAge("3650d"));
        for (String bad : new String[] {"", "d", "xyz", "7", "-1h", "+1h", "1.5h", "1h30m", "7 d", "3651d",
                "99999999999999999999999s", "\u0663d"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ServerOptions.partMaxAge(bad), bad);
            assertTrue(e.getMessage().startsWith("part-max-age=" + bad + " reason="), e.getMessage());
        }
    }
}
