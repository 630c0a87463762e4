package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose open-file limit is far below the sender's window of files still receives a tree of many small
 * files whole: part files whose blocks have all arrived are closed until their FILE_END instead of piling up
 * until {@code EMFILE} (before the fix, 3,000 small files into a server limited to 128 or 256 fds failed every time).
 */
class FdLimitTest {
    private static final int FDS = 256;

    @Test
    @Timeout(120)
    void manySmallFilesGoThroughAServerWithFewFileDescriptors(@TempDir Path base) throws Exception {
        Assumptions.assumeTrue(hasPrlimit(), "prlimit (util-linux) is not installed: cannot lower the server's fd limit");
        Path src = base.resolve("src");
        Random r = new Random(11);
        for (int d = 0; d < 30; d++) {
            Path dir = Files.createDirectories(src.resolve("d" + d));
            for (int f = 0; f < 100; f++) {
                byte[] b = new byte[1 + r.nextInt(3000)];
                r.nextBytes(b);
                Files.write(dir.resolve("f" + f), b);
            }
        }
        Path root = Files.createDirectories(base.resolve("root"));
        try (ServerProcess server = ServerProcess.start(List.of("prlimit", "--nofile=" + FDS + ":" + FDS),
                List.of("serve", "--root", root.toString(), "--listen", "127.0.0.1:0", "--data-port", "0"), Map.of())) {
            for (int round = 0; round < 2; round++) {
                Result res = Harness.send(List.of("-P", "2"), List.of(src.toString()), server.target("t" + round));
                res.assertExit(0);
                assertEquals(3000, res.num("files_sent"), res::toString);
                for (int d = 0; d < 30; d += 7) {
                    for (int f = 0; f < 100; f += 13) {
                        Path rel = Path.of("src", "d" + d, "f" + f);
                        assertArrayEquals(Files.readAllBytes(src.resolve("d" + d).resolve("f" + f)),
                                Files.readAllBytes(root.resolve("t" + round).resolve(rel)), rel.toString());
                    }
                }
            }
            assertFalse(server.log().contains("EMFILE"), server.log());
        }
    }

    private static boolean hasPrlimit() {
        try {
            return new ProcessBuilder("prlimit", "--version").start().waitFor() == 0;
        } catch (java.io.IOException | InterruptedException e) {
            return false;
        }
    }
}
