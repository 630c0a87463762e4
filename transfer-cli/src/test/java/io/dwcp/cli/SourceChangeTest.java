package io.dwcp.cli;

import static io.dwcp.cli.Harness.randomFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source file that shrinks while its blocks are being sent fails alone: it is reported by name, the other files of
 * the tree arrive, and the exit code says partial (rsync's "file has vanished" behaviour, not a failed transfer).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SourceChangeTest {
    private static final int MIB = 1 << 20;

    @Test
    void aFileThatShrinksWhileItIsSentFailsAloneAndTheTreeGoesOn(@TempDir Path src, @TempDir Path root)
            throws Exception {
        InetAddress loopback = FaultProxy.LOOPBACK;
        InetAddress alt = FaultProxy.ALT;
        FaultProxy.assumeAltBindable("the holding proxy");
        Path tree = Files.createDirectories(src.resolve("tree"));
        Path a = randomFile(tree.resolve("a.bin"), 8L * MIB, 1);
        // b is bigger than what the sockets and the proxy can buffer: its sender must still be reading it.
        Path b = randomFile(tree.resolve("b.bin"), 64L * MIB, 2);
        Path c = randomFile(tree.resolve("c.bin"), 8L * MIB, 3);
        CountDownLatch hold = new CountDownLatch(1);
        AtomicInteger frames = new AtomicInteger();
        // a's 8 blocks and b's first two pass; then the data stream is held until b.bin has been cut short.
        FaultProxy.FrameHook hook = frame -> {
            if (frame[3] == 18 && frames.incrementAndGet() > 10) { // 18: DATA
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    return false;
                }
            }
            return true;
        };
        try (ServerProcess s = ServerProcess.serve(root);
             FaultProxy control = new FaultProxy(alt, s.controlPort, new InetSocketAddress(loopback, s.controlPort), null);
             FaultProxy data = new FaultProxy(alt, s.dataPort, new InetSocketAddress(loopback, s.dataPort), hook)) {
            CompletableFuture<Result> send = CompletableFuture.supplyAsync(() -> {
                try {
                    return Harness.send(List.of("-P", "1", "--compress", "off"), List.of(tree),
                            "127.0.0.2:" + s.controlPort + "/t");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(Harness.eventually(Duration.ofSeconds(60), () -> frames.get() > 10), "b's first blocks went");
            try (RandomAccessFile f = new RandomAccessFile(b.toFile(), "rw")) {
                f.setLength(MIB + 100); // shorter than the offer said, after some of its blocks went
            }
            hold.countDown();
            Result r = send.get(90, TimeUnit.SECONDS);
            r.assertExit(4);
            String failed = String.valueOf(r.json().get("failed_files"));
            assertTrue(failed.contains("tree/b.bin: path=\"tree/b.bin\" reason=source-changed"), r::toString);
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(root.resolve("t/tree/a.bin")));
            assertArrayEquals(Files.readAllBytes(c), Files.readAllBytes(root.resolve("t/tree/c.bin")),
                    "the file after the one that changed arrives too");
            assertFalse(Files.exists(root.resolve("t/tree/b.bin")), "nothing under the changed file's name");
            assertEquals(List.of(), Harness.partFiles(root.resolve("t")), "no part file left");
        }
    }
}
