package io.dwcp.cli;

import static io.dwcp.cli.Harness.randomFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import io.dwcp.core.manifest.Entry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose root is a file system of 8 MiB (a tmpfs mounted for each test, so it needs root; skipped
 * otherwise), sent files of 5 MiB: what the server admits is what fits.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FreeSpaceTest {
    private static final int MIB = 1 << 20;
    private static final long FILE = 5L * MIB;

    @TempDir
    Path work;
    private Path root;
    private ServerProcess server;

    @BeforeEach
    void mountSmallRoot() throws Exception {
        root = Files.createDirectories(work.resolve("root"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", root.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assumeTrue(p.waitFor() == 0, "needs root to mount an 8 MiB tmpfs: " + out);
        server = ServerProcess.serve(root);
    }

    @AfterEach
    void unmount() throws Exception {
        if (server != null) {
            server.close();
        }
        new ProcessBuilder("umount", root.toString()).inheritIO().start().waitFor();
    }

    @Test
    void anIdenticalResendOfAFileLargerThanTheFreeSpaceIsAccepted() throws Exception {
        Path f = randomFile(work.resolve("five.bin"), FILE, 71);
        Harness.send(List.of(), List.of(f), server.target("")).assertExit(0);
        assertTrue(Files.getFileStore(root).getUsableSpace() < FILE, "the precondition: less free than the file");

        Result again = Harness.send(List.of(), List.of(f), server.target(""));
        again.assertExit(0);
        assertEquals(Boolean.TRUE, again.json().get("verified"), again::toString);
        assertTrue(again.num("wire_bytes") < 64 * 1024, again::toString);
    }

    @Test
    void aNewFileThatCannotFitIsRefusedBeforeAnythingIsWritten() throws Exception {
        randomFile(root.resolve("already-here.bin"), FILE, 72);
        Path f = randomFile(work.resolve("five.bin"), FILE, 73);
        Result r = Harness.send(List.of(), List.of(f), server.target("sub"));
        r.assertExit(2);
        assertTrue(String.valueOf(r.json().get("error")).contains("reason=insufficient-space need=" + FILE), r::toString);
        assertEquals(0, r.num("blocks_sent"), r::toString);
        assertEquals(List.of("already-here.bin", "sub"), Harness.listTree(root), "nothing but the destination directory");
    }

    @Test
    void spacePromisedToATransferInFlightIsNotOfferedTwice() throws Exception {
        Path f = randomFile(work.resolve("five.bin"), FILE, 74);
        try (RawClient held = RawClient.connect(server.controlPort)) {
            // A transfer admitted for a new 5 MiB file that has not written a byte yet.
            held.offer("", Entry.file("held.bin", FILE, 0644, 0));

            Result refused = Harness.send(List.of(), List.of(f), server.target(""));
            refused.assertExit(2);
            assertTrue(String.valueOf(refused.json().get("error"))
                    .contains("reason=insufficient-space need=" + FILE + " free=" + 8 * MIB + " promised=" + FILE),
                    refused::toString);
        }
        // The held transfer ended without writing: its promise is free again.
        assertTrue(Harness.eventually(Duration.ofSeconds(10), () -> sendsNow(f)), server::log);
        assertEquals(List.of("five.bin"), Harness.listTree(root));
    }

    private boolean sendsNow(Path f) {
        try {
            return Harness.send(List.of(), List.of(f), server.target("")).exit() == 0;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
