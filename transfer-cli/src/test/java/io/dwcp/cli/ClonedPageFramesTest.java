package io.dwcp.cli;

import static io.dwcp.cli.Harness.randomFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import io.dwcp.testsupport.XfsLoopImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Page frames for a basis the server cloned into its part file (XFS, reflinks) are checked from the clone's page
 * sums, not read back: the file still arrives exact, and the server says how many blocks it so took. Needs root and
 * a loop-mounted XFS image; skipped with the reason otherwise.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClonedPageFramesTest {
    private static final int MIB = 1 << 20;
    private static final int PAGE = 4096;
    private static final Pattern FROM_SUMS = Pattern.compile("blocks_from_sums=(\\d+)");

    private static XfsLoopImage xfs;
    private static ServerProcess server;
    private static Path root;

    @BeforeAll
    static void mountAndServe() throws Exception {
        xfs = XfsLoopImage.mount("dwcp-cloned-frames");
        root = Files.createDirectory(xfs.directory().resolve("root"));
        server = ServerProcess.serve(root);
    }

    @AfterAll
    static void stopAndUnmount() throws Exception {
        if (server != null) {
            server.close();
        }
        if (xfs != null) {
            xfs.close();
        }
    }

    private static long fromSums(String log) {
        long last = -1;
        Matcher m = FROM_SUMS.matcher(log);
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    @Test
    void changedBlocksOfAClonedBasisAreCheckedFromItsPageSums(@TempDir Path src) throws Exception {
        long size = 9L * MIB + 5000; // a short last block, and a short last page
        Path f = randomFile(src.resolve("disk.img"), size, 31);
        String target = server.target("vm");
        Path received = root.resolve("vm/disk.img");
        Result first = Harness.send(List.of(), List.of(f), target);
        first.assertExit(0);
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(received));

        for (int round = 0; round < 2; round++) { // the second round clones the first round's result
            TreeSet<Long> pages = DeltaTransferTest.rewritePages(f, 20, 40 + round);
            if (round == 0) {
                long last = (size - 1) / PAGE; // and the short last page
                DeltaTransferTest.rewriteOne(f, last);
                pages.add(last);
            }
            Result r = Harness.send(List.of("-P", "2"), List.of(f), target);
            r.assertExit(0);
            assertEquals(Boolean.TRUE, r.json().get("verified"), r::toString);
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(received), "round " + round);
            long blocks = pages.stream().map(p -> p * PAGE / MIB).distinct().count();
            assertEquals(pages.size(), r.num("pages_sent"), "exactly the rewritten pages travel\n" + r);
            assertEquals(blocks, r.num("blocks_refined"), r::toString);
            long taken = -1;
            for (int i = 0; i < 50 && taken < 0; i++) { // the session's line is logged as it ends
                taken = fromSums(server.log().substring(server.log().lastIndexOf("offer block_size")));
                Thread.sleep(20);
            }
            assertEquals(blocks, taken, "every refined block checked from the clone's page sums\n" + server.log());
        }
        assertTrue(Files.size(received) == size);
    }
}
