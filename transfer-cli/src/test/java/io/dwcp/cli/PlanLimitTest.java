package io.dwcp.cli;

import static io.dwcp.cli.RawClient.BLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.message.Message;
import io.dwcp.server.DwcpServer;
import io.dwcp.server.ServerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PLAN carries a digest for every block of every file the server already has. A server whose control
 * frames are limited to 4 KiB, asked to plan against a file of 256 blocks of 4 KiB (4 KiB of digests plus
 * headers), must refuse the offer clearly before digesting anything, and still plan one that fits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PlanLimitTest {
    @Test
    void aPlanThatWouldNotFitInOneFrameIsRefusedAndOneThatFitsIsSent(@TempDir Path root) throws Exception {
        Harness.randomFile(root.resolve("big.bin"), 256L * BLOCK, 81);
        Harness.randomFile(root.resolve("half.bin"), 128L * BLOCK, 82);
        Limits limits = Limits.defaults().withMaxControlBody(4096);
        ServerConfig config = new ServerConfig(root, new InetSocketAddress("127.0.0.1", 0), 0, null, false, false, limits);
        try (DwcpServer server = DwcpServer.start(config)) {
            int port = server.controlAddress().getPort();
            try (RawClient c = RawClient.connect(port)) {
                c.hello();
                c.send(new Message.Offer("", BLOCK, List.of(Entry.file("big.bin", 256L * BLOCK, 0644, 0))));
                Message.Error e = c.errorThenClose();
                assertEquals(ErrorCode.LIMIT, e.code());
                assertTrue(e.message().contains("reason=plan-too-large bytes=4117 max_bytes=4096 block_size=" + BLOCK),
                        e.message());
            }
            try (RawClient c = RawClient.connect(port)) {
                c.hello();
                c.send(new Message.Offer("", BLOCK, List.of(Entry.file("half.bin", 128L * BLOCK, 0644, 0))));
                Message.Plan plan = c.read(Message.Plan.class);
                assertEquals(Message.FilePlan.BASIS, plan.files().get(0).action());
            }
        }
    }
}
