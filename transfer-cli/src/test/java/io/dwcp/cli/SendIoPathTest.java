package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The same tree sent over the native data plane (sendfile, MSG_ZEROCOPY) and with {@code --io portable}. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SendIoPathTest {
    private static final int MIB = 1 << 20;

    @TempDir
    static Path serverRoot;
    private static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.serve(serverRoot);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void defaultAndPortablePathsReceiveByteIdenticalTrees(@TempDir Path src) throws Exception {
        Path tree = src.resolve("tree");
        long[] sizes = {0, 1, 4095, MIB - 1, MIB, MIB + 1, 3L * MIB + 12345};
        for (int i = 0; i < sizes.length; i++) {
            Harness.randomFile(tree.resolve("r" + i + ".bin"), sizes[i], 100 + i);
        }
        Files.createDirectories(tree.resolve("sub"));
        Files.write(tree.resolve("sub/zeros.img"), new byte[2 * MIB + 7]);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 3 * MIB; i++) {
            sb.append("2026-11-29T05:40:26.").append(i % 1000).append(" INFO block=").append(i).append('\n');
        }
        Files.writeString(tree.resolve("sub/log.txt"), sb, StandardCharsets.UTF_8);
        for (String compress : List.of("lz4", "off")) {
            Result native_ = Harness.send(List.of("-P", "2", "--compress", compress), List.of(tree),
                    server.target("native-" + compress));
            Result portable = Harness.send(List.of("-P", "2", "--compress", compress, "--io", "portable"),
                    List.of(tree), server.target("portable-" + compress));
            for (Result r : List.of(native_, portable)) {
                r.assertExit(0);
                assertEquals(Boolean.TRUE, r.json().get("verified"), r::toString);
                assertNull(r.json().get("error"), r::toString);
            }
            assertEquals("portable", portable.json().get("io_path"), portable::toString);
            assertNotEquals("", native_.json().get("io_path"), native_::toString);
            // the same frames on both paths; control messages (session ids) may differ by a few bytes
            assertTrue(Math.abs(native_.num("wire_bytes") - portable.num("wire_bytes")) < 64,
                    native_ + "\n" + portable);
            Harness.assertSameTree(tree, serverRoot.resolve("native-" + compress + "/tree"), Set.of());
            Harness.assertSameTree(serverRoot.resolve("native-" + compress + "/tree"),
                    serverRoot.resolve("portable-" + compress + "/tree"), Set.of());
        }
    }
}
