package io.dwcp.cli;

import static io.dwcp.cli.Harness.assertSameTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable commits end to end: a server flushes received files in batches (its session's last log line counts
 * them), so a tree of a thousand small files costs a few flushes, not a thousand; {@code send --no-fsync} flushes
 * nothing.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DurableCommitTest {
    private static final Pattern DONE = Pattern.compile("session=(\\d+) done entries=\\d+ files=(\\d+) .* failed=(\\d+) (.*)");
    private static final Pattern DURABLE = Pattern.compile(
            "durable batches=(\\d+) renamed=(\\d+) syncfs=(\\d+) fsync_files=(\\d+) fsync_dirs=(\\d+) flush_ms=(\\d+)");

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

    /** 1000 small files in 10 directories, one of them with a second name (a hard link), with fixed mtimes. */
    private static Path tree(Path src) throws Exception {
        Path tree = src.resolve("tree");
        for (int i = 0; i < 1000; i++) {
            Path f = tree.resolve("d" + (i % 10) + "/f" + i + ".txt");
            Files.createDirectories(f.getParent());
            Files.writeString(f, ("file " + i + " ").repeat(1 + i % 50));
            Files.setLastModifiedTime(f, FileTime.fromMillis(1_600_000_000_000L + i));
        }
        Files.createLink(tree.resolve("d0/hard-link"), tree.resolve("d1/f1.txt"));
        return tree;
    }

    /** The {@code done} line of the session that ended last, once the server has logged it. */
    private static String lastDone(int before) throws InterruptedException {
        assertTrue(Harness.eventually(Duration.ofSeconds(10), () -> doneLines() > before), server::log);
        String last = null;
        for (String line : server.log().split("\n")) {
            if (DONE.matcher(line).find()) {
                last = line;
            }
        }
        return last;
    }

    private static int doneLines() {
        int n = 0;
        for (String line : server.log().split("\n")) {
            if (DONE.matcher(line).find()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aTreeOfAThousandFilesIsFlushedInAFewBatches(@TempDir Path src) throws Exception {
        Path tree = tree(src);
        int before = doneLines();
        Result r = Harness.send(List.of(), List.of(tree + "/"), server.target("durable"));
        r.assertExit(0);
        assertEquals(Boolean.TRUE, r.json().get("verified"), r::toString);
        assertSameTree(tree, serverRoot.resolve("durable"), Set.of());
        assertEquals(List.of(), Harness.partFiles(serverRoot.resolve("durable")));

        String line = lastDone(before);
        Matcher m = DURABLE.matcher(line);
        assertTrue(m.find(), line);
        long batches = Long.parseLong(m.group(1));
        long renamed = Long.parseLong(m.group(2));
        long syncfs = Long.parseLong(m.group(3));
        long fileSyncs = Long.parseLong(m.group(4));
        long dirSyncs = Long.parseLong(m.group(5));
        assertEquals(1000, renamed, "every regular file went through a batch (the hard link is made at COMMIT): " + line);
        assertTrue(batches >= 4 && batches <= 40, "1000 files, at most 256 a batch, a batch each 20 ms at most: " + line);
        // per batch: one syncfs (or an fsync per file for up to 4 files), then up to 8 directories or one more syncfs
        assertTrue(syncfs + fileSyncs + dirSyncs <= 9 * batches + 1 && fileSyncs <= 4 * batches,
                "a few flushes per batch: " + line);
        assertTrue(syncfs + fileSyncs + dirSyncs < 150, "not one or two per file: " + line);
        System.out.println("1000-file tree: " + line);
    }

    @Test
    void noFsyncFlushesNothing(@TempDir Path src) throws Exception {
        Path tree = tree(src);
        int before = doneLines();
        Result r = Harness.send(List.of("--no-fsync"), List.of(tree + "/"), server.target("scratch"));
        r.assertExit(0);
        assertEquals(Boolean.TRUE, r.json().get("verified"), r::toString);
        assertSameTree(tree, serverRoot.resolve("scratch"), Set.of());
        String line = lastDone(before);
        assertTrue(line.endsWith("durable=off"), line);
    }

    @Test
    void aLoneFileIsFlushedByItself(@TempDir Path src) throws Exception {
        Path f = Harness.randomFile(src.resolve("one.bin"), 3 << 20, 11);
        int before = doneLines();
        Result r = Harness.send(List.of(), List.of(f), server.target("lone"));
        r.assertExit(0);
        assertEquals(-1L, Files.mismatch(f, serverRoot.resolve("lone/one.bin")));
        String line = lastDone(before);
        Matcher m = DURABLE.matcher(line);
        assertTrue(m.find(), line);
        assertEquals("1", m.group(1), "one batch: " + line);
        assertEquals("0", m.group(3), "a lone file is forced by itself, no syncfs: " + line);
        assertEquals("1", m.group(4), line);
        assertEquals("1", m.group(5), "then its directory: " + line);
    }
}
