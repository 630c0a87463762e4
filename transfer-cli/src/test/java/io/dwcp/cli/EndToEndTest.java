package io.dwcp.cli;

import static io.dwcp.cli.Harness.assertSameTree;
import static io.dwcp.cli.Harness.mtime;
import static io.dwcp.cli.Harness.partFiles;
import static io.dwcp.cli.Harness.perms;
import static io.dwcp.cli.Harness.randomFile;
import static io.dwcp.cli.Harness.setMeta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import io.dwcp.core.message.Message;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A real {@code dwcp serve} process and real {@code dwcp send} processes, checked byte for byte. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EndToEndTest {
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

    private static void assertVerified(Result r) {
        r.assertExit(0);
        Map<String, Object> j = r.json();
        assertEquals(Boolean.TRUE, j.get("verified"), r::toString);
        assertNull(j.get("error"), r::toString);
        assertEquals(List.of(), j.get("failed_files"), r::toString);
    }

    @Test
    void filesAroundEveryBoundaryArriveExactlyWithModesAndMtimes(@TempDir Path src) throws Exception {
        long[] sizes = {0, 1, 4095, 4096, 4097, MIB - 1, MIB, MIB + 1, 64L * MIB};
        int[] modes = {0644, 0600, 0755, 0640, 0444, 0700, 0664, 0751, 0620};
        List<Path> files = new ArrayList<>();
        long total = 0;
        long blocks = 0;
        for (int i = 0; i < sizes.length; i++) {
            Path f = randomFile(src.resolve("f-" + sizes[i] + ".bin"), sizes[i], 1000 + i);
            setMeta(f, modes[i], 1_600_000_000_000L + i * 1_001L + 7);
            files.add(f);
            total += sizes[i];
            blocks += (sizes[i] + MIB - 1) / MIB;
        }
        Result r = Harness.send(List.of("-P", "4"), files, server.target("sizes"));
        assertVerified(r);
        assertEquals(4, r.num("streams"), "an explicit -P is kept\n" + r);
        assertEquals(sizes.length, r.num("files"), r::toString);
        assertEquals(total, r.num("bytes"), r::toString);
        assertEquals(blocks, r.num("blocks_sent"), r::toString);
        assertEquals(0, r.num("blocks_unchanged"), r::toString);
        assertTrue(r.num("wire_bytes") >= total, "random data cannot shrink on the wire\n" + r);

        Path dest = serverRoot.resolve("sizes");
        for (int i = 0; i < sizes.length; i++) {
            Path a = files.get(i);
            Path b = dest.resolve(a.getFileName().toString());
            assertTrue(Files.isRegularFile(b, LinkOption.NOFOLLOW_LINKS), "missing " + b);
            assertEquals(sizes[i], Files.size(b), "size of " + b);
            assertEquals(-1L, Files.mismatch(a, b), "content of " + b);
            assertEquals(perms(modes[i]), Files.getPosixFilePermissions(b), "mode of " + b);
            assertEquals(mtime(a), mtime(b), "mtime of " + b);
        }
        assertEquals(sizes.length, Harness.listTree(dest).size(), "only the sent files: " + Harness.listTree(dest));
        assertEquals(List.of(), partFiles(serverRoot), "part files left behind");
    }

    @Test
    void compressibleAndAllZeroDataArriveExactlyAndCostLittleOnTheWire(@TempDir Path src) throws Exception {
        Path text = src.resolve("log.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 4 * MIB; i++) {
            sb.append("2026-11-21T19:43:27.").append(i % 1000).append(" INFO transfer block=").append(i)
                    .append(" status=ok\n");
        }
        Files.writeString(text, sb, StandardCharsets.UTF_8);
        Path holes = src.resolve("holes.img");
        try (FileChannel ch = FileChannel.open(holes, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(Harness.random(5, 12345)), 3L * MIB + 100);
        }
        Files.write(holes, new byte[] {1}, StandardOpenOption.APPEND);
        long total = Files.size(text) + Files.size(holes);
        Result r = Harness.send(List.of("-P", "1", "--compress", "lz4"), List.of(text, holes),
                server.target("compress-lz4"));
        assertVerified(r);
        assertTrue(r.num("wire_bytes") < total / 3, "compressible data should shrink on the wire\n" + r);
        Path dest = serverRoot.resolve("compress-lz4");
        assertEquals(-1L, Files.mismatch(text, dest.resolve("log.txt")));
        assertEquals(-1L, Files.mismatch(holes, dest.resolve("holes.img")));
        // auto over loopback: no wire to save, so whole blocks go raw; the zeros still travel as headers
        Result auto = Harness.send(List.of("-P", "1", "--compress", "auto"), List.of(text, holes),
                server.target("compress-auto"));
        assertVerified(auto);
        long zeros = Files.size(holes) - 12345 - 1;
        assertTrue(auto.num("wire_bytes") >= Files.size(text) && auto.num("wire_bytes") < total - zeros / 2,
                "text raw, zero blocks as headers\n" + auto);
        assertEquals(-1L, Files.mismatch(text, serverRoot.resolve("compress-auto/log.txt")));
        assertEquals(-1L, Files.mismatch(holes, serverRoot.resolve("compress-auto/holes.img")));
        Result off = Harness.send(List.of("--compress", "off"), List.of(text), server.target("compress-off"));
        assertVerified(off);
        assertTrue(off.num("wire_bytes") >= Files.size(text), "--compress off sends raw bytes\n" + off);
        assertEquals(-1L, Files.mismatch(text, serverRoot.resolve("compress-off/log.txt")));
    }

    @Test
    void aSparseFileArrivesSparse(@TempDir Path src) throws Exception {
        // 1 MiB of data, a 16 MiB hole, 1 MiB of data, a 6 MiB hole at the end: 24 MiB long, 2 MiB allocated.
        Path sparse = src.resolve("disk.img");
        try (FileChannel ch = FileChannel.open(sparse, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(Harness.random(13, MIB)), 0);
            ch.write(java.nio.ByteBuffer.wrap(Harness.random(14, MIB)), 17L * MIB);
            ch.write(java.nio.ByteBuffer.allocate(1), 24L * MIB - 1); // the length, as one zero byte at the end
        }
        assumeTrue(Harness.allocated(sparse) < 4L * MIB, "the temp directory's file system keeps no holes");
        Result r = Harness.send(List.of(), List.of(sparse), server.target("sparse"));
        assertVerified(r);
        Path got = serverRoot.resolve("sparse/disk.img");
        assertEquals(-1L, Files.mismatch(sparse, got));
        assertTrue(Harness.allocated(got) < 4L * MIB, "the holes stay holes: " + Harness.allocated(got) + " bytes allocated");
    }

    /**
     * The tree of scenario 2; returns the links (paths relative to the tree) that lead out of it: sent verbatim by
     * default, left out with {@code --safe-links}.
     */
    private static Set<String> buildTree(Path tree, Path outsideSecret) throws IOException {
        Files.createDirectories(tree.resolve("a/b/c"));
        Files.createDirectories(tree.resolve("empty-dir"));
        Files.createDirectories(tree.resolve("日本語"));
        Files.writeString(tree.resolve("a/b/c/deep.txt"), "deep\n".repeat(100));
        Files.write(tree.resolve("a/empty-file"), new byte[0]);
        Files.write(tree.resolve("zero.dat"), new byte[0]);
        Files.writeString(tree.resolve("日本語/ファイル.txt"), "こんにちは、世界\n");
        Files.write(tree.resolve("emoji-😀.bin"), Harness.random(7, 5000));
        randomFile(tree.resolve("big.bin"), 2 * MIB + 12345, 8);
        Files.createSymbolicLink(tree.resolve("link-rel"), Path.of("a/b/c/deep.txt"));
        Files.createSymbolicLink(tree.resolve("a/b/up"), Path.of("../../emoji-😀.bin"));
        Files.createSymbolicLink(tree.resolve("a/dangling"), Path.of("b/not-there"));
        Files.createSymbolicLink(tree.resolve("abs-link"), outsideSecret.toAbsolutePath());
        // Resolves to SRC/outside/secret.txt (the tree is SRC/wrap/tree): escapes whether the tree or its
        // contents are sent.
        Files.createSymbolicLink(tree.resolve("a/b/esc"), Path.of("../../../../outside/secret.txt"));
        setMeta(tree.resolve("a/b/c/deep.txt"), 0640, 1_500_000_000_001L);
        setMeta(tree.resolve("a/empty-file"), 0600, 1_500_000_000_002L);
        setMeta(tree.resolve("zero.dat"), 0644, 1_500_000_000_003L);
        setMeta(tree.resolve("日本語/ファイル.txt"), 0644, 1_500_000_000_004L);
        setMeta(tree.resolve("emoji-😀.bin"), 0755, 1_500_000_000_005L);
        setMeta(tree.resolve("big.bin"), 0600, 1_500_000_000_006L);
        // Directories last, deepest first: creating children changes a directory's mtime.
        setMeta(tree.resolve("a/b/c"), 0700, 1_400_000_000_011L);
        setMeta(tree.resolve("a/b"), 0755, 1_400_000_000_012L);
        setMeta(tree.resolve("a"), 0750, 1_400_000_000_013L);
        setMeta(tree.resolve("empty-dir"), 0755, 1_400_000_000_014L);
        setMeta(tree.resolve("日本語"), 0755, 1_400_000_000_015L);
        setMeta(tree, 0755, 1_400_000_000_016L);
        return Set.of("abs-link", "a/b/esc");
    }

    /** Since protocol version 2 every symlink is sent, whatever it points at: nothing is left out. */
    private static void assertNothingSkipped(Result r) {
        assertEquals(List.of(), r.json().get("skipped"), r::toString);
    }

    /** With {@code --safe-links}: exactly the links leading out of the tree are left out, each listed as unsafe. */
    private static void assertUnsafeLinksSkipped(Result r, Set<String> leaving) {
        @SuppressWarnings("unchecked")
        List<Object> skipped = (List<Object>) r.json().get("skipped");
        assertEquals(leaving.size(), skipped.size(), () -> "skipped " + skipped + "\n" + r);
        for (String link : leaving) {
            assertTrue(skipped.stream().anyMatch(s -> s.toString().contains(link + "\"")
                    && s.toString().contains("reason=unsafe-link")), () -> link + " not in skipped " + skipped);
        }
    }

    /**
     * Every symlink of the tree is a symlink at the receiver with exactly the same target, the ones leading out of
     * the tree ({@code leaving}) included; the server followed none of them (the secret they point at is unchanged).
     */
    private static void assertLinksVerbatim(Path tree, Path received, Set<String> leaving, Path secret) throws IOException {
        int links = 0;
        for (String rel : Harness.listTree(tree)) {
            Path a = tree.resolve(rel);
            if (Files.isSymbolicLink(a)) {
                links++;
                Path b = received.resolve(rel);
                assertTrue(Files.isSymbolicLink(b), "not a symlink at the receiver: " + rel);
                assertEquals(Files.readSymbolicLink(a).toString(), Files.readSymbolicLink(b).toString(), "target of " + rel);
            }
        }
        assertEquals(5, links, "the tree has five links");
        for (String rel : leaving) {
            assertTrue(Files.isSymbolicLink(received.resolve(rel)), "a link leading out must arrive too: " + rel);
        }
        assertEquals(secret.toAbsolutePath().toString(), Files.readSymbolicLink(received.resolve("abs-link")).toString());
        assertEquals("TOP SECRET", Files.readString(secret), "the secret behind the links must be untouched");
        assertEquals(List.of("secret.txt"), Harness.listTree(secret.getParent()), "nothing written beside the secret");
    }

    private static void assertSecretNowhere(Path received) throws IOException {
        for (String rel : Harness.listTree(received)) {
            Path p = received.resolve(rel);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                assertFalse(Files.readString(p, StandardCharsets.ISO_8859_1).contains("TOP SECRET"),
                        "content of an escaping link was followed into " + p);
            }
        }
    }

    /** The test tree, with links that try to reach a secret file outside it; returns the links to be skipped. */
    private static Set<String> buildTreeBesideASecret(Path src, Path tree) throws Exception {
        assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")),
                "file names are not UTF-8 in this JVM (sun.jnu.encoding=" + System.getProperty("sun.jnu.encoding") + ")");
        Path secret = src.resolve("outside/secret.txt");
        Files.createDirectories(secret.getParent());
        Files.writeString(secret, "TOP SECRET");
        return buildTree(tree, secret);
    }

    /**
     * The data streams open when a file first has blocks to send: an identical re-sync opens none, and a change in
     * a late batch (the listing goes in batches of 2,048) opens them then, mid-transfer.
     */
    @Test
    void dataStreamsOpenOnlyWhenAFileHasBlocksToSend(@TempDir Path src) throws Exception {
        Path tree = src.resolve("lazy");
        Files.createDirectories(tree);
        for (int i = 0; i < 5000; i++) {
            Files.writeString(tree.resolve(String.format(java.util.Locale.ROOT, "f%04d", i)), "file " + i + "\n");
        }
        String target = server.target("lazy");
        Result first = Harness.send(List.of(), List.of(tree + "/"), target);
        assertVerified(first);
        assertTrue(first.num("streams") >= 1, first::toString);

        Result same = Harness.send(List.of(), List.of(tree + "/"), target);
        assertVerified(same);
        assertEquals(0, same.num("streams"), "nothing to send: no data stream\n" + same);
        assertEquals(0, same.num("blocks_sent"), same::toString);
        assertEquals("", same.json().get("io_path"), "nothing to send: the data plane never started\n" + same);

        Path last = tree.resolve("f4999"); // listed last: in the third batch
        Files.writeString(last, "changed, and longer than before\n");
        Result late = Harness.send(List.of(), List.of(tree + "/"), target);
        assertVerified(late);
        assertTrue(late.num("streams") >= 1, "the late batch's file opened the streams\n" + late);
        assertEquals(1, late.num("blocks_sent"), late::toString);
        assertNotEquals("", late.json().get("io_path"), "the late file started the data plane\n" + late);
        assertSameTree(tree, serverRoot.resolve("lazy"), Set.of());
    }

    @Test
    void treeContentsWithTrailingSlash(@TempDir Path src) throws Exception {
        Path tree = src.resolve("wrap/tree");
        Set<String> leaving = buildTreeBesideASecret(src, tree);
        Path secret = src.resolve("outside/secret.txt");

        Result r = Harness.send(List.of(), List.of(tree + "/"), server.target("contents/here"));
        assertVerified(r);
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(Math.max(Math.min(2, cores), Math.min(4, cores / 4)), r.num("streams"),
                "by default, a tree over loopback gets two streams (one per 4 cores on bigger machines)\n" + r);
        assertEquals(6, r.num("files"), r::toString);
        assertNothingSkipped(r);
        Path received = serverRoot.resolve("contents/here");
        assertSameTree(tree, received, Set.of());
        assertLinksVerbatim(tree, received, leaving, secret);
        assertSecretNowhere(received);

        // --safe-links leaves out (and lists) the links that lead out of the tree, and only those.
        Result safe = Harness.send(List.of("--safe-links"), List.of(tree + "/"), server.target("contents/safe"));
        assertVerified(safe);
        assertEquals(6, safe.num("files"), safe::toString);
        assertUnsafeLinksSkipped(safe, leaving);
        assertSameTree(tree, serverRoot.resolve("contents/safe"), leaving);
        assertSecretNowhere(serverRoot.resolve("contents/safe"));
        assertEquals(List.of(), partFiles(serverRoot));
    }

    @Test
    void treeDirectoryItselfWithoutTrailingSlash(@TempDir Path src) throws Exception {
        Path tree = src.resolve("wrap/tree");
        Set<String> leaving = buildTreeBesideASecret(src, tree);
        Path secret = src.resolve("outside/secret.txt");

        Result r = Harness.send(List.of("-P", "2"), List.of(tree), server.target("itself"));
        assertVerified(r);
        assertNothingSkipped(r);
        Path dest = serverRoot.resolve("itself");
        assertEquals(List.of("tree"), Harness.listTree(dest).stream().filter(p -> !p.contains("/")).toList(),
                "the directory itself lands in DEST");
        Path received = dest.resolve("tree");
        assertSameTree(tree, received, Set.of());
        assertLinksVerbatim(tree, received, leaving, secret);
        assertEquals(Files.getPosixFilePermissions(tree), Files.getPosixFilePermissions(received), "mode of the tree");
        assertEquals(Harness.mtimeNanos(tree), Harness.mtimeNanos(received), "mtime of the tree directory");
        assertSecretNowhere(dest);

        // The links leading out of tree/ lead out of DEST too (abs-link, and tree/a/b/esc climbs four levels).
        Result safe = Harness.send(List.of("-P", "2", "--safe-links"), List.of(tree), server.target("itself-safe"));
        assertVerified(safe);
        assertUnsafeLinksSkipped(safe, leaving);
        assertSameTree(tree, serverRoot.resolve("itself-safe/tree"), leaving);
        assertEquals(List.of(), partFiles(serverRoot));
    }

    /**
     * A link one level above the sent tree ({@code up-one -> ../sibling.txt}): sent verbatim by default (the file it
     * names is not); with {@code --safe-links} left out when the tree's contents are sent, while a link reaching
     * exactly the top of the tree ({@code sub/to-top -> ../f.txt}) is kept. When the directory itself is sent, its
     * links count from DEST, as with rsync: {@code tree/up-one -> ../sibling.txt} stays inside it and is kept.
     */
    @Test
    void aLinkJustAboveTheSentDirectoryIsSkippedOnlyWithSafeLinks(@TempDir Path src) throws Exception {
        Path tree = Files.createDirectories(src.resolve("tree"));
        Files.writeString(src.resolve("sibling.txt"), "not part of the transfer");
        Files.writeString(tree.resolve("f.txt"), "f");
        Files.createSymbolicLink(tree.resolve("up-one"), Path.of("../sibling.txt"));
        Files.createDirectories(tree.resolve("sub"));
        Files.createSymbolicLink(tree.resolve("sub/to-top"), Path.of("../f.txt"));

        Result r = Harness.send(List.of(), List.of(tree + "/"), server.target("one-level"));
        assertVerified(r);
        assertNothingSkipped(r);
        Path got = serverRoot.resolve("one-level");
        assertEquals(List.of("f.txt", "sub", "sub/to-top", "up-one"), Harness.listTree(got));
        assertEquals("../sibling.txt", Files.readSymbolicLink(got.resolve("up-one")).toString());
        assertEquals("../f.txt", Files.readSymbolicLink(got.resolve("sub/to-top")).toString());
        assertFalse(Files.exists(serverRoot.resolve("sibling.txt"), LinkOption.NOFOLLOW_LINKS), "only the tree is sent");

        Result safe = Harness.send(List.of("--safe-links"), List.of(tree + "/"), server.target("one-level-safe"));
        assertVerified(safe);
        assertUnsafeLinksSkipped(safe, Set.of("up-one"));
        Path gotSafe = serverRoot.resolve("one-level-safe");
        assertEquals(List.of("f.txt", "sub", "sub/to-top"), Harness.listTree(gotSafe));
        assertEquals("../f.txt", Files.readSymbolicLink(gotSafe.resolve("sub/to-top")).toString());

        Result itself = Harness.send(List.of("--safe-links"), List.of(tree), server.target("one-level-itself"));
        assertVerified(itself);
        assertNothingSkipped(itself);
        assertEquals("../sibling.txt",
                Files.readSymbolicLink(serverRoot.resolve("one-level-itself/tree/up-one")).toString());
    }

    @Test
    void resendMovesOnlyWhatChanged(@TempDir Path src) throws Exception {
        Path tree = src.resolve("delta");
        Path m = randomFile(tree.resolve("m.bin"), 5L * MIB, 21);
        Path shrink = randomFile(tree.resolve("shrink.bin"), 3L * MIB, 22);
        Path shrinkExact = randomFile(tree.resolve("shrink-exact.bin"), 3L * MIB, 23);
        Path grow = randomFile(tree.resolve("grow.bin"), 2L * MIB, 24);
        Path touch = randomFile(tree.resolve("touch.bin"), 3L * MIB / 2, 25);
        randomFile(tree.resolve("sub/x.bin"), MIB + 1, 26);
        Files.writeString(tree.resolve("small.txt"), "small\n");
        Files.write(tree.resolve("empty.dat"), new byte[0]);
        setMeta(m, 0444, 1_650_000_000_000L);
        int fileCount = 8;
        long blocks = 5 + 3 + 3 + 2 + 2 + 2 + 1;
        String target = server.target("delta");

        Result first = Harness.send(List.of(), List.of(tree + "/"), target);
        assertVerified(first);
        assertEquals(blocks, first.num("blocks_sent"), first::toString);
        Path received = serverRoot.resolve("delta");
        assertSameTree(tree, received, Set.of());

        // Unchanged size and mtime (ns): the quick check skips every file without reading it, at either end.
        Result same = Harness.send(List.of(), List.of(tree + "/"), target);
        assertVerified(same);
        assertEquals(0, same.num("blocks_sent"), same::toString);
        assertEquals(0, same.num("blocks_unchanged"), "no file may be read, so no block compared\n" + same);
        assertEquals(fileCount, same.num("identical_files"), same::toString);
        assertTrue(same.num("wire_bytes") * 100 < same.num("bytes"),
                "identical resend must cost < 1% of the bytes on the wire\n" + same);
        assertSameTree(tree, received, Set.of());

        // A few bytes in the middle of block 2 of a read-only file, with a new mtime as any edit gives it; two
        // truncations; an append; an mtime change alone.
        Files.setPosixFilePermissions(m, perms(0644));
        try (FileChannel ch = FileChannel.open(m, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), 2L * MIB + MIB / 2 + 17);
        }
        setMeta(m, 0444, 1_650_000_000_500L);
        try (FileChannel ch = FileChannel.open(shrink, StandardOpenOption.WRITE)) {
            ch.truncate(2L * MIB + 1000);
        }
        try (FileChannel ch = FileChannel.open(shrinkExact, StandardOpenOption.WRITE)) {
            ch.truncate(2L * MIB);
        }
        Files.write(grow, Harness.random(99, 100 * 1024), StandardOpenOption.APPEND);
        Files.setLastModifiedTime(touch, java.nio.file.attribute.FileTime.fromMillis(1_655_555_555_555L));

        Result delta = Harness.send(List.of(), List.of(tree + "/"), target);
        assertVerified(delta);
        assertEquals(3, delta.num("blocks_sent"), "m.bin block 2, shrink.bin's new tail, grow.bin's new block\n" + delta);
        assertEquals(4 + 2 + 2 + 2 + 2, delta.num("blocks_unchanged"),
                "compared against the basis: m 4, shrink 2, shrink-exact 2, grow 2, touch 2\n" + delta);
        assertEquals(4, delta.num("identical_files"), "small, empty, sub/x (quick check) and touch (same bytes)\n" + delta);
        assertTrue(delta.num("wire_bytes") < MIB + MIB / 2, "only ~1.1 MiB changed\n" + delta);
        assertSameTree(tree, received, Set.of());

        // Bytes changed in block 0 of sub/x.bin with its size and mtime put back: the quick check cannot see it (as
        // with rsync, the receiver keeps its copy) ...
        Path x = tree.resolve("sub/x.bin");
        java.nio.file.attribute.FileTime xTime = Files.getLastModifiedTime(x);
        try (FileChannel ch = FileChannel.open(x, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {9, 9, 9, 9}), 1000);
        }
        Files.setLastModifiedTime(x, xTime);
        Result quick = Harness.send(List.of(), List.of(tree + "/"), target);
        assertVerified(quick);
        assertEquals(0, quick.num("blocks_sent"), quick::toString);
        assertEquals(fileCount, quick.num("identical_files"), quick::toString);
        assertEquals(1000L, Files.mismatch(x, received.resolve("sub/x.bin")), "the receiver's copy is left as it was");

        // ... --checksum compares every block and finds it: one block of sub/x.bin goes, all the others are compared.
        Result checksum = Harness.send(List.of("--checksum"), List.of(tree + "/"), target);
        assertVerified(checksum);
        assertEquals(1, checksum.num("blocks_sent"), "sub/x.bin block 0\n" + checksum);
        assertEquals(5 + 3 + 2 + 3 + 2 + 1 + 1, checksum.num("blocks_unchanged"),
                "every other block of every file is read and compared: m, shrink, shrink-exact, grow, touch, sub/x, small\n"
                        + checksum);
        assertEquals(fileCount - 1, checksum.num("identical_files"), checksum::toString);
        assertTrue(checksum.num("wire_bytes") < MIB + MIB / 2, "one block on the wire\n" + checksum);
        assertSameTree(tree, received, Set.of());
        assertEquals(List.of(), partFiles(serverRoot));
    }

    @Test
    void manySmallFilesInOneSend(@TempDir Path src) throws Exception {
        Path tree = src.resolve("many");
        long total = 0;
        for (int i = 0; i < 300; i++) {
            Path f = tree.resolve("d" + (i % 7)).resolve("sub" + (i % 3)).resolve("file-" + i + ".dat");
            Files.createDirectories(f.getParent());
            Files.write(f, Harness.random(500 + i, i * 37));
            Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(1_620_000_000_000L + i));
            total += i * 37L;
        }
        Result r = Harness.send(List.of("-P", "4"), List.of(tree + "/"), server.target("many"));
        assertVerified(r);
        assertEquals(300, r.num("files"), r::toString);
        assertEquals(total, r.num("bytes"), r::toString);
        for (String rel : Harness.listTree(tree)) {
            Path a = tree.resolve(rel);
            if (Files.isRegularFile(a)) {
                Path b = serverRoot.resolve("many").resolve(rel);
                assertEquals(-1L, Files.mismatch(a, b), rel);
                assertEquals(mtime(a), mtime(b), rel);
            }
        }
        assertEquals(Harness.listTree(tree), Harness.listTree(serverRoot.resolve("many")));
    }

    @Test
    void oneShotReceiverTakesOneTransferAndExits(@TempDir Path base) throws Exception {
        Path dir = Files.createDirectories(base.resolve("inbox"));
        Path f = randomFile(base.resolve("one.bin"), 3L * MIB + 5, 31);
        try (ServerProcess recv = ServerProcess.start(List.of("recv", "--listen", "127.0.0.1:0", "--data-port", "0",
                dir.toString()))) {
            Result r = Harness.send(List.of(), List.of(f), recv.target(""));
            assertVerified(r);
            assertEquals(0, recv.awaitExit(Duration.ofSeconds(20)), recv::log);
            assertTrue(recv.log().contains("verified=true"), recv::log);
        }
        assertEquals(-1L, Files.mismatch(f, dir.resolve("one.bin")));
        assertEquals(List.of("one.bin"), Harness.listTree(dir));
    }

    @Test
    void oneShotReceiverExitsTwoWhenItsOnlyTransferFails(@TempDir Path base) throws Exception {
        Path dir = Files.createDirectories(base.resolve("inbox"));
        Files.writeString(dir.resolve("plain-file"), "not a directory");
        Path f = randomFile(base.resolve("one.bin"), 1000, 32);
        try (ServerProcess recv = ServerProcess.start(List.of("recv", "--listen", "127.0.0.1:0", "--data-port", "0",
                dir.toString()))) {
            Result r = Harness.send(List.of(), List.of(f), recv.target("plain-file/sub"));
            r.assertExit(2);
            assertTrue(String.valueOf(r.json().get("error")).contains("not-a-directory"), r::toString);
            assertEquals(2, recv.awaitExit(Duration.ofSeconds(20)), recv::log);
        }
        assertEquals(List.of("plain-file"), Harness.listTree(dir));
        assertEquals("not a directory", Files.readString(dir.resolve("plain-file")));
    }

    /**
     * An entry the walk leaves out (here a name with the receiver's reserved suffix) makes the send partial, as
     * rsync's exit 23 does: it exited 0 with only a warning. Links left out because --safe-links asked for it do not.
     */
    @Test
    void anEntryTheWalkLeavesOutMakesTheSendPartialUnlessTheUserAskedForIt(@TempDir Path base) throws Exception {
        Path src = Files.createDirectories(base.resolve("src"));
        Files.writeString(src.resolve("keep"), "arrives");
        Files.writeString(src.resolve("x.dwcp-part"), "a name the receiver reserves");
        Result r = Harness.send(List.of(), List.of(src + "/"), server.target("left-out"));
        r.assertExit(4);
        assertTrue(String.valueOf(r.json().get("skipped")).contains("x.dwcp-part"), r::toString);
        assertEquals("arrives", Files.readString(serverRoot.resolve("left-out/keep")));

        Files.delete(src.resolve("x.dwcp-part"));
        Files.createSymbolicLink(src.resolve("out"), Path.of("/etc"));
        Result safe = Harness.send(List.of("--safe-links"), List.of(src + "/"), server.target("left-out"));
        safe.assertExit(0);
        assertTrue(String.valueOf(safe.json().get("skipped")).contains("reason=unsafe-link"), safe::toString);
    }

    /** A tree one of whose entries the receiver cannot take: the sender and the receiver both say partial (4). */
    @Test
    void oneShotReceiverExitsFourWhenSomeEntriesOfItsTreeFail(@TempDir Path base) throws Exception {
        Path dir = Files.createDirectories(base.resolve("inbox/src/f"));
        Files.writeString(dir.resolve("keep"), "a directory with contents where the sender has a file");
        Path src = Files.createDirectories(base.resolve("src/sub"));
        Files.writeString(base.resolve("src/f"), "the file");
        Files.writeString(src.resolve("g"), "arrives");
        try (ServerProcess recv = ServerProcess.start(List.of("recv", "--listen", "127.0.0.1:0", "--data-port", "0",
                base.resolve("inbox").toString()))) {
            Result r = Harness.send(List.of(), List.of(base.resolve("src").toString()), recv.target(""));
            r.assertExit(4);
            assertEquals(4, recv.awaitExit(Duration.ofSeconds(20)), recv::log);
            assertTrue(recv.log().contains("dwcp recv: partial files=") && recv.log().contains("failed=1"), recv::log);
        }
        assertEquals("arrives", Files.readString(base.resolve("inbox/src/sub/g")));
        assertTrue(Files.isDirectory(base.resolve("inbox/src/f")));
    }

    @Test
    void aServerWhoseLocaleCannotEncodeANameRefusesItByNameAndGoesOnServing(@TempDir Path base) throws Exception {
        // Only the portable path names files through the JVM, in its locale's charset.
        Path dir = Files.createDirectories(base.resolve("root"));
        Path unicode = Files.writeString(base.resolve("naïve-日本.txt"), "x");
        Path ascii = Files.writeString(base.resolve("plain.txt"), "y");
        try (ServerProcess c = ServerProcess.start(List.of("serve", "--root", dir.toString(), "--listen", "127.0.0.1:0",
                "--data-port", "0", "--io", "portable"), Map.of("LC_ALL", "C"))) {
            // The entry the server cannot name is FAILED, by name; the rest of the same transfer goes on (exit 4).
            Result r = Harness.send(List.of(), List.of(unicode, ascii), c.target(""));
            r.assertExit(4);
            assertNull(r.json().get("error"), r::toString);
            assertEquals(Boolean.FALSE, r.json().get("verified"), r::toString);
            @SuppressWarnings("unchecked")
            List<Object> failed = (List<Object>) r.json().get("failed_files");
            assertEquals(1, failed.size(), r::toString);
            assertTrue(failed.get(0).toString().contains("path=\"naïve-日本.txt\" reason=name-not-representable"),
                    r::toString);
            assertEquals("y", Files.readString(dir.resolve("plain.txt")));
            // And the server goes on serving.
            Path other = Files.writeString(base.resolve("other.txt"), "z");
            assertVerified(Harness.send(List.of(), List.of(other), c.target("")));
            assertTrue(c.alive(), c::log);
        }
        assertEquals(List.of("other.txt", "plain.txt"), Harness.listTree(dir));
    }

    @Test
    void theNativePathStoresUtf8NamesWhateverTheServersLocale(@TempDir Path base) throws Exception {
        Path dir = Files.createDirectories(base.resolve("root"));
        Path unicode = Files.writeString(base.resolve("naïve-日本.txt"), "x");
        try (ServerProcess c = ServerProcess.start(List.of("serve", "--root", dir.toString(), "--listen", "127.0.0.1:0",
                "--data-port", "0"), Map.of("LC_ALL", "C"))) {
            assumeTrue(c.log().contains("confine=openat2") || c.log().contains("confine=walk"), "no native confinement here");
            assertVerified(Harness.send(List.of(), List.of(unicode), c.target("")));
        }
        assertEquals("x", Files.readString(dir.resolve("naïve-日本.txt")));
    }

    /**
     * A send stopped by a signal says it did not finish (the JVM alone exits with 143 or 130 and prints nothing). Its
     * server here accepts the connection and never answers, so the send is surely still going when it is stopped.
     */
    @Test
    void aSendStoppedByASignalSaysItDidNotFinish(@TempDir Path base) throws Exception {
        Path f = Files.writeString(base.resolve("f.txt"), "f");
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Process send = Harness.start(List.of("send", "--no-progress", f.toString(),
                    "127.0.0.1:" + silent.getLocalPort()));
            try (java.net.Socket accepted = silent.accept()) {
                assertTrue(accepted.getInputStream().read() >= 0, "its HELLO began: now it waits for an answer");
                send.toHandle().destroy(); // SIGTERM, leaving our end of its pipes open (Process.destroy closes them)
                String err = new String(send.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(send.waitFor(30, TimeUnit.SECONDS));
                assertEquals(143, send.exitValue(), err);
                assertTrue(err.contains("dwcp: interrupted: the transfer did not finish"), err);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "recv"})
    void aServerStoppedBySigtermTellsTheTransferInFlightAndRemovesItsPartFile(String command, @TempDir Path base)
            throws Exception {
        Path dir = Files.createDirectories(base.resolve("root"));
        List<String> args = command.equals("serve")
                ? List.of("serve", "--root", dir.toString(), "--listen", "127.0.0.1:0", "--data-port", "0")
                : List.of("recv", "--listen", "127.0.0.1:0", "--data-port", "0", dir.toString());
        byte[] content = Harness.random(91, 4 * RawClient.BLOCK);
        try (ServerProcess s = ServerProcess.start(args);
             RawClient c = RawClient.connect(s.controlPort)) {
            Message.Welcome w = c.offer("", RawClient.file("held.bin", content));
            try (RawClient d = RawClient.join(w.dataPort(), w.sessionId(), 0)) {
                d.sendBlock(0, content, 0);
                assertTrue(Harness.eventually(Duration.ofSeconds(10), () -> Files.exists(dir.resolve("held.bin.dwcp-part"))));

                s.process.destroy(); // SIGTERM
                Message.Error e = c.errorThenClose();
                assertNotNull(e, "the server must say why it ends the transfer");
                assertTrue(e.message().contains("reason=server-stopping"), e::toString);
                assertTrue(s.process.waitFor(20, TimeUnit.SECONDS), s::log);
            }
        }
        assertEquals(List.of(), Harness.listTree(dir), "no part file left behind");
    }

    @Test
    void aFileGivenUpMidWayFailsAloneAndItsLateBlocksAreDropped() throws Exception {
        byte[] gone = Harness.random(92, 4 * RawClient.BLOCK);
        byte[] kept = Harness.random(93, 4 * RawClient.BLOCK + 17);
        String before = server.log();
        try (RawClient c = RawClient.connect(server.controlPort)) {
            Message.Welcome w = c.offer("midway", RawClient.file("gone.bin", gone), RawClient.file("kept.bin", kept));
            try (RawClient d = RawClient.join(w.dataPort(), w.sessionId(), 0)) {
                d.sendBlock(0, gone, 0);
                // The sender found gone.bin shrunk after its first block and gives it up (FILE_END -1) ...
                c.send(new Message.FileEnd(0, Message.FileEnd.ABANDONED, new byte[16]));
                Message.FileDone abandoned = c.read(Message.FileDone.class);
                assertEquals(0, abandoned.fileId());
                assertNotEquals(Message.FileDone.OK, abandoned.status(), abandoned::toString);
                // ... while three of its blocks were still on their way: they are read and dropped.
                for (int i = 1; i < 4; i++) {
                    d.sendBlock(0, gone, i);
                }
                for (int i = 0; i < RawClient.blocks(kept); i++) {
                    d.sendBlock(1, kept, i);
                }
                c.send(new Message.FileEnd(1, RawClient.blocks(kept), RawClient.fileDigest(kept)));
                Message.FileDone done = c.read(Message.FileDone.class);
                assertEquals(1, done.fileId(), done::toString);
                assertEquals(Message.FileDone.OK, done.status(), "the session goes on with the other file: " + done);
            }
            c.send(new Message.Commit());
            Message.Done end = c.readDone();
            assertEquals(1, end.files(), end::toString);
        }
        assertTrue(java.util.Arrays.equals(kept, Files.readAllBytes(serverRoot.resolve("midway/kept.bin"))));
        assertFalse(Files.exists(serverRoot.resolve("midway/gone.bin")));
        assertEquals(List.of(), partFiles(serverRoot.resolve("midway")), "no part file left");
        // Three late blocks, and the first too when it was stored only after the FILE_END was handled.
        assertTrue(Harness.eventually(Duration.ofSeconds(10), () -> {
            String log = server.log().substring(before.length());
            return log.contains("dropped_blocks=3") || log.contains("dropped_blocks=4");
        }), server::log);
    }

    @Test
    void demoRunsEndToEndAndRemovesOnlyItsOwnDirectory(@TempDir Path work) throws Exception {
        // --dir names where the demo works, not what it may delete: what was there before stays.
        Path mine = Files.writeString(work.resolve("mine.txt"), "keep me");
        Result r = Harness.run(Duration.ofSeconds(90), List.of("demo", "--size", "8M", "--small", "150", "--dir",
                work.toString()));
        r.assertExit(0);
        assertTrue(r.out().contains("all transfers verified"), r::toString);
        assertTrue(r.out().contains("sent 155 files"), "the big file, the 4 small-tree files and 150 small ones\n" + r);
        assertFalse(r.out().contains("DIFFERENT"), r::toString);
        assertEquals("keep me", Files.readString(mine));
        assertEquals(List.of("mine.txt"), Harness.listTree(work), "the demo's own directory is removed, nothing else");
    }

    @Test
    void demoWithoutRoomSaysSoBeforeWritingAnything(@TempDir Path work) throws Exception {
        Result r = Harness.run(Duration.ofSeconds(30), List.of("demo", "--size", "100T", "--dir", work.toString()));
        r.assertExit(1);
        assertTrue(r.err().contains("reason=no-room"), r::toString);
        assertEquals(List.of(), Harness.listTree(work), "nothing may be written when there is no room");
    }

    /** The same tree over the native data plane (sendfile, MSG_ZEROCOPY) and with {@code --io portable}. */
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

    /**
     * The largest blocks with LZ4 and two streams need the most buffers at both ends (a 16 MiB-block slab takes
     * 18 MiB of slab budget); then a session with other blocks must still find buffers of its size.
     */
    @Test
    void theLargestBlocksAndThenOthersFindBuffersAtBothEnds(@TempDir Path src) throws Exception {
        Path file = Harness.randomFile(src.resolve("big-blocks.bin"), 3L * MIB + 5, 77);
        for (String bs : List.of("16M", "4M")) {
            Result r = Harness.send(List.of("--block-size", bs, "--compress", "lz4", "-P", "2"), List.of(file),
                    server.target("blocks-" + bs));
            r.assertExit(0);
            assertEquals(Boolean.TRUE, r.json().get("verified"), r::toString);
            assertEquals(-1L, Files.mismatch(file, serverRoot.resolve("blocks-" + bs + "/big-blocks.bin")));
        }
    }
}
