package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local user races the server: while trees are sent into {@code root/d}, another thread keeps swapping
 * {@code d} between a real directory and a symlink to a directory outside the root. The server checks the path
 * when the offer arrives and writes part files much later, so a check-then-use server writes outside the root
 * here; one that resolves every operation from the root's fd without following links never does.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConfinementRaceTest {
    private static final int FILES = 200;
    /** Sends at least this many, and on until the race has been hit. */
    private static final int SENDS = 6;
    /**
     * At most this many. A resend plans through one directory fd opened per send, so a send meets the swap only when
     * that open does: about one send in two, so six alone all went through about once in 64 runs.
     */
    private static final int MAX_SENDS = 40;

    @Test
    void aSymlinkSwappedInMidTransferNeverLetsTheServerWriteOutsideTheRoot(@TempDir Path base) throws Exception {
        Path root = Files.createDirectories(base.resolve("root"));
        Path outside = Files.createDirectories(base.resolve("outside"));
        Path src = Files.createDirectories(base.resolve("src/tree"));
        for (int i = 0; i < FILES; i++) {
            Files.write(src.resolve("f" + i), Harness.random(i, 3000 + i));
        }
        Path d = root.resolve("d");
        Path real = root.resolve("d.real");
        Path link = root.resolve("d.link");
        Files.createDirectories(d);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong swaps = new AtomicLong();
        Thread racer = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (!stop.get()) {
                    // d -> a symlink to outside, then back to a directory: each swap is one atomic rename.
                    Files.deleteIfExists(link);
                    Files.createSymbolicLink(link, outside);
                    Files.move(d, real, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(link, d, StandardCopyOption.ATOMIC_MOVE);
                    Thread.sleep(1); // d is a link about half the time, so the race is hit on every send
                    Files.move(d, link, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(real, d, StandardCopyOption.ATOMIC_MOVE);
                    swaps.incrementAndGet();
                    Thread.sleep(1);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (ServerProcess server = ServerProcess.serve(root)) {
            int refused = 0;
            for (int i = 0; i < MAX_SENDS && (i < SENDS || refused == 0); i++) {
                Result r = Harness.send(List.of(), List.of(src), server.target("d"));
                if (r.exit() != 0) {
                    refused++;
                    String error = String.valueOf(r.json().get("error")) + r.json().get("failed_files");
                    assertTrue(error.contains("symlink-in-path") || error.contains("not-a-directory")
                            || error.contains("errno=ENOENT"), r::toString);
                }
                try (Stream<Path> leaked = Files.walk(outside)) {
                    assertEquals(List.of(outside), leaked.toList(), "written outside the root after send " + i);
                }
            }
            assertTrue(swaps.get() > 50, "the racer ran: " + swaps.get() + " swaps");
            assertTrue(refused > 0, "the race was never hit: every send went through");
        } finally {
            stop.set(true);
            racer.join();
        }
    }
}
