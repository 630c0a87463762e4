package io.dwcp.cli;

import static io.dwcp.cli.Harness.randomFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Receiver-basis deltas between real processes: a changed block of a file the server holds is refined to its 4 KiB
 * pages and only the pages that differ travel, whatever the streams, the compression and the file's tail.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeltaTransferTest {
    private static final int MIB = 1 << 20;
    private static final int PAGE = 4096;

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

    /** Rewrites {@code count} distinct seeded random pages (the last one may be short) and moves the mtime. */
    static TreeSet<Long> rewritePages(Path f, int count, long seed) throws IOException {
        long size = Files.size(f);
        long pages = (size + PAGE - 1) / PAGE;
        Random r = new Random(seed);
        TreeSet<Long> chosen = new TreeSet<>();
        while (chosen.size() < count) {
            chosen.add((long) r.nextInt((int) pages));
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            for (long p : chosen) {
                int n = (int) Math.min(PAGE, size - p * PAGE);
                byte[] b = new byte[n];
                r.nextBytes(b);
                ch.write(ByteBuffer.wrap(b), p * PAGE);
            }
        }
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));
        return chosen;
    }

    private static void assertVerifiedCopy(Result r, Path src, Path dst) throws IOException {
        r.assertExit(0);
        assertEquals(Boolean.TRUE, r.json().get("verified"), r::toString);
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst), "received bytes differ from the source");
    }

    @Test
    void scatteredPageChangesMoveOnlyThosePages(@TempDir Path src) throws Exception {
        // 8 MiB and a short tail, so the last block and its last page are partial.
        Path f = randomFile(src.resolve("image.bin"), 8L * MIB + 5000, 101);
        String target = server.target("pages");
        assertVerifiedCopy(Harness.send(List.of(), List.of(f), target), f, serverRoot.resolve("pages/image.bin"));

        TreeSet<Long> pages = rewritePages(f, 24, 7);
        pages.add((8L * MIB + 5000) / PAGE); // and the short last page
        rewriteOne(f, (8L * MIB + 5000) / PAGE);
        Result r = Harness.send(List.of("-P", "3"), List.of(f), target);
        assertVerifiedCopy(r, f, serverRoot.resolve("pages/image.bin"));
        long blocks = pages.stream().map(p -> p * PAGE / MIB).distinct().count();
        assertEquals(blocks, r.num("blocks_sent"), r::toString);
        assertEquals(blocks, r.num("blocks_refined"), r::toString);
        assertEquals(9 - blocks, r.num("blocks_skipped"), r::toString);
        assertEquals(pages.size(), r.num("pages_sent"), "exactly the pages rewritten travel\n" + r);
        long changed = (long) pages.size() * PAGE;
        assertTrue(r.num("wire_bytes") < changed + 64 * 1024, "wire bytes close to the changed bytes\n" + r);
        assertTrue(r.num("delta_bytes") >= changed - PAGE, r::toString);
    }

    /**
     * A file big enough to be digested while the receiver reads its copy (DigestAhead): its blocks are judged from
     * those digests, and exactly the rewritten pages still travel, on any number of streams.
     */
    @Test
    void aBigFileDigestedAheadStillMovesOnlyItsChangedPages(@TempDir Path src) throws Exception {
        long size = 40L * MIB + 777;
        Path f = randomFile(src.resolve("big.bin"), size, 108);
        String target = server.target("ahead");
        assertVerifiedCopy(Harness.send(List.of(), List.of(f), target), f, serverRoot.resolve("ahead/big.bin"));
        for (String streams : List.of("1", "3")) {
            TreeSet<Long> pages = rewritePages(f, 30, streams.hashCode());
            Result r = Harness.send(List.of("-P", streams), List.of(f), target);
            assertVerifiedCopy(r, f, serverRoot.resolve("ahead/big.bin"));
            long blocks = pages.stream().map(p -> p * PAGE / MIB).distinct().count();
            assertEquals(blocks, r.num("blocks_refined"), r::toString);
            assertEquals(41 - blocks, r.num("blocks_skipped"), r::toString);
            assertEquals(pages.size(), r.num("pages_sent"), "exactly the pages rewritten travel\n" + r);
            assertTrue(r.num("wire_bytes") < pages.size() * PAGE + 64 * 1024, r::toString);
        }
    }

    /**
     * More changed blocks than the sender keeps asked for at once, judged ahead on four streams: the refiner fills
     * and empties many times over, with streams racing for its last free slots. Every block still goes as its one
     * changed page (a slot overrun once killed the streams, and the send stalled until its idle timeout).
     */
    @Test
    void moreChangedBlocksThanTheRefinerHoldsOnFourStreams(@TempDir Path src) throws Exception {
        long size = 48L * MIB;
        int block = 16 * 1024;
        Path f = randomFile(src.resolve("many.bin"), size, 211);
        String target = server.target("many");
        List<String> options = List.of("-P", "4", "--block-size", "16K");
        assertVerifiedCopy(Harness.send(options, List.of(f), target), f, serverRoot.resolve("many/many.bin"));
        int blocks = (int) (size / block);
        assertTrue(blocks > 2 * 1024, "twice the blocks the refiner holds (Refiner.MAX_OUTSTANDING)");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            Random r = new Random(212);
            for (int b = 0; b < blocks; b++) {
                byte[] page = new byte[PAGE];
                r.nextBytes(page);
                ch.write(ByteBuffer.wrap(page), (long) b * block + (long) (b % (block / PAGE)) * PAGE);
            }
        }
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));
        Result r = Harness.send(options, List.of(f), target);
        assertVerifiedCopy(r, f, serverRoot.resolve("many/many.bin"));
        assertEquals(blocks, r.num("blocks_refined"), r::toString);
        assertEquals(blocks, r.num("pages_sent"), "one page of each block travels\n" + r);
    }

    static void rewriteOne(Path f, long page) throws IOException {
        long size = Files.size(f);
        byte[] b = new byte[(int) Math.min(PAGE, size - page * PAGE)];
        new Random(page).nextBytes(b);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(b), page * PAGE);
        }
    }

    @Test
    void deltaOffSendsChangedBlocksWhole(@TempDir Path src) throws Exception {
        Path f = randomFile(src.resolve("off.bin"), 4L * MIB, 102);
        String target = server.target("off");
        assertVerifiedCopy(Harness.send(List.of(), List.of(f), target), f, serverRoot.resolve("off/off.bin"));
        TreeSet<Long> pages = rewritePages(f, 3, 8);
        long blocks = pages.stream().map(p -> p * PAGE / MIB).distinct().count();
        Result r = Harness.send(List.of("--delta", "off"), List.of(f), target);
        assertVerifiedCopy(r, f, serverRoot.resolve("off/off.bin"));
        assertEquals(0, r.num("pages_sent"), r::toString);
        assertEquals(0, r.num("blocks_refined"), r::toString);
        assertTrue(r.num("wire_bytes") >= blocks * MIB, r::toString);
    }

    /** A small file that changed goes whole: no basis digests, no refine round trip that could save nothing. */
    @Test
    void aSmallChangedFileGoesWholeWithoutComparing(@TempDir Path src) throws Exception {
        Path f = randomFile(src.resolve("small.bin"), 40 * 1024, 106);
        String target = server.target("small");
        assertVerifiedCopy(Harness.send(List.of(), List.of(f), target), f, serverRoot.resolve("small/small.bin"));
        rewritePages(f, 1, 107);
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));
        Result r = Harness.send(List.of(), List.of(f), target);
        assertVerifiedCopy(r, f, serverRoot.resolve("small/small.bin"));
        assertEquals(1, r.num("blocks_sent"), r::toString);
        assertEquals(0, r.num("blocks_refined"), r::toString);
        assertEquals(0, r.num("blocks_unchanged"), r::toString);
    }

    @Test
    void aFileRewrittenThroughoutStopsRefiningAndStillArrivesExactly(@TempDir Path src) throws Exception {
        Path f = randomFile(src.resolve("rewritten.bin"), 24L * MIB, 103);
        String target = server.target("rewritten");
        assertVerifiedCopy(Harness.send(List.of(), List.of(f), target), f, serverRoot.resolve("rewritten/rewritten.bin"));
        randomFile(f, 24L * MIB, 104);
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));
        Result r = Harness.send(List.of("-P", "2"), List.of(f), target);
        assertVerifiedCopy(r, f, serverRoot.resolve("rewritten/rewritten.bin"));
        assertEquals(24, r.num("blocks_sent"), r::toString);
        assertEquals(0, r.num("pages_sent"), "every page differs: no page frame pays\n" + r);
        assertTrue(r.num("blocks_refined") < 24, "refining stops once it has not paid for a while\n" + r);
    }

    @Test
    void compressiblePagesTravelCompressed(@TempDir Path src) throws Exception {
        Path f = randomFile(src.resolve("text.bin"), 4L * MIB, 105);
        String target = server.target("text");
        assertVerifiedCopy(Harness.send(List.of(), List.of(f), target), f, serverRoot.resolve("text/text.bin"));
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            byte[] text = "the same words again and again ".repeat(3000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ch.write(ByteBuffer.wrap(text, 0, 16 * PAGE), MIB + 3L * PAGE);
        }
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));
        Result r = Harness.send(List.of("--compress", "lz4"), List.of(f), target);
        assertVerifiedCopy(r, f, serverRoot.resolve("text/text.bin"));
        assertEquals(16, r.num("pages_sent"), r::toString);
        assertTrue(r.num("delta_bytes") < 8 * PAGE, "16 pages of repeated text compress well\n" + r);
    }

    @Test
    void withTheOldVersionAtHandChangedPagesGoAsXorDeltasWithoutARoundTrip(@TempDir Path src) throws Exception {
        Path f = randomFile(src.resolve("vm.img"), 6L * MIB + 123, 106);
        String target = server.target("base");
        assertVerifiedCopy(Harness.send(List.of(), List.of(f), target), f, serverRoot.resolve("base/vm.img"));
        Path old = Files.copy(f, src.resolve("vm.img.old"));
        TreeSet<Long> pages = rewritePages(f, 17, 9);
        Result r = Harness.send(List.of("--base", old.toString(), "-P", "2"), List.of(f), target);
        assertVerifiedCopy(r, f, serverRoot.resolve("base/vm.img"));
        assertEquals(List.of(), r.json().get("warnings"), r::toString);
        assertEquals(pages.size(), r.num("pages_sent"), "exactly the rewritten pages travel, as XOR\n" + r);
        assertTrue(r.num("wire_bytes") < (long) pages.size() * PAGE + 64 * 1024, r::toString);
    }

    @Test
    void aBaseThatIsNotTheServersCopyFallsBackToItsBlockDigestsAndSaysSo(@TempDir Path src) throws Exception {
        Path f = randomFile(src.resolve("db.bin"), 4L * MIB, 107);
        String target = server.target("notbase");
        assertVerifiedCopy(Harness.send(List.of(), List.of(f), target), f, serverRoot.resolve("notbase/db.bin"));
        Path other = randomFile(src.resolve("other.bin"), 4L * MIB, 108);
        TreeSet<Long> pages = rewritePages(f, 5, 10);
        Result r = Harness.send(List.of("--base", other.toString()), List.of(f), target);
        assertVerifiedCopy(r, f, serverRoot.resolve("notbase/db.bin"));
        assertTrue(String.valueOf(r.json().get("warnings")).contains("reason=base-mismatch"), r::toString);
        assertEquals(pages.size(), r.num("pages_sent"), "refined against the server's own copy instead\n" + r);
    }

    @Test
    void baseNeedsOneFileSourceAndAReadableFile(@TempDir Path src) throws Exception {
        Path a = randomFile(src.resolve("a.bin"), 1000, 1);
        Path b = randomFile(src.resolve("b.bin"), 1000, 2);
        Result two = Harness.send(List.of("--base", a.toString()), List.of(a, b), server.target("x"));
        two.assertExit(1);
        assertTrue(two.err().contains("reason=needs-exactly-one-file-source"), two::toString);
        Result missing = Harness.send(List.of("--base", src.resolve("nope").toString()), List.of(a), server.target("x"));
        missing.assertExit(1);
        assertTrue(missing.err().contains("reason=not-a-readable-file"), missing::toString);
    }
}
