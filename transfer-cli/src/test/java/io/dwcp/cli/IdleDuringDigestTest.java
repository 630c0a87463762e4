package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Before it answers an OFFER the server digests the copy it already has of each file. That is work for the
 * session, not idleness: a resend whose basis takes longer to digest than the idle timeout must go through.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IdleDuringDigestTest {
    /** Sparse, so it costs no disk; digesting it still reads (zero) pages for a few seconds. */
    private static final long BASIS_SIZE = 4L << 30;

    @Test
    void digestingALargeBasisIsNotAnIdleSession(@TempDir Path base) throws Exception {
        Path root = Files.createDirectories(base.resolve("root"));
        Path src = Files.createDirectories(base.resolve("src"));
        try (RandomAccessFile f = new RandomAccessFile(root.resolve("big.img").toFile(), "rw")) {
            f.setLength(BASIS_SIZE);
        }
        // Bigger than what goes whole without comparing (64 KiB): the server digests its 4 GiB copy first.
        String text = "now a smaller file\n".repeat(8000);
        Files.writeString(src.resolve("big.img"), text);
        try (ServerProcess server = ServerProcess.serve(root, "--idle-timeout", "1")) {
            long t0 = System.nanoTime();
            Result r = Harness.send(List.of(), List.of(src.resolve("big.img")), server.target(""));
            double seconds = (System.nanoTime() - t0) / 1e9;
            r.assertExit(0);
            assertEquals(Boolean.TRUE, r.json().get("verified"));
            assertEquals(text, Files.readString(root.resolve("big.img")));
            assertFalse(server.log().contains("idle-timeout"), server::log);
            // The test means something only if the digest outlasted the idle timeout.
            assertTrue(seconds > 1.5, "the basis digested in " + seconds + " s; make BASIS_SIZE larger");
        }
    }
}
