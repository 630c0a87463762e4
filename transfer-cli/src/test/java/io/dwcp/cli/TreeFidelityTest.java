package io.dwcp.cli;

import static io.dwcp.cli.Harness.randomFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trees as {@code rsync -aH} keeps them, judged by rsync itself: after a send, {@code rsync -aHcn --itemize-changes
 * --numeric-ids SRC/ DST/} must print nothing. Also the quick check, links that point anywhere, mirror options.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TreeFidelityTest {
    @TempDir
    static Path serverRoot;
    private static ServerProcess server;
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

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

    static boolean hasRsync() {
        try {
            return new ProcessBuilder("rsync", "--version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** What rsync would still change to make {@code dst} like {@code src}: empty when they match. */
    static List<String> rsyncDiff(Path src, Path dst) throws Exception {
        Process p = new ProcessBuilder("rsync", "-aHcn", "--itemize-changes", "--numeric-ids", src + "/", dst + "/")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /** Every directory's change time (what a chmod or utimes moves, even to the same value). */
    private static java.util.Map<Path, Object> directoryCtimes(Path top) throws IOException {
        java.util.Map<Path, Object> m = new java.util.TreeMap<>();
        try (var s = Files.walk(top)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    m.put(p, Files.getAttribute(p, "unix:ctime", java.nio.file.LinkOption.NOFOLLOW_LINKS));
                }
            }
        }
        return m;
    }

    private static void sh(Path dir, String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-ec", script).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), script + "\n" + out);
    }

    /**
     * Every kind rsync -aH keeps: files of many sizes, odd modes, nanosecond mtimes, links of every sort, a FIFO and
     * a socket (and a device, as root).
     */
    static void makeTree(Path src) throws Exception {
        Files.createDirectories(src.resolve("docs/deep/er"));
        Files.createDirectories(src.resolve("empty-dir"));
        Files.createDirectories(src.resolve("locked"));
        Harness.randomFile(src.resolve("docs/big.bin"), 3L * (1 << 20) + 17, 1);
        Harness.randomFile(src.resolve("docs/deep/er/small"), 4096, 2);
        Files.write(src.resolve("empty"), new byte[0]);
        Files.writeString(src.resolve("locked/readme"), "read only\n");
        sh(src, "dd if=/dev/zero of=sparse bs=1 count=0 seek=8M 2>/dev/null; printf x >> sparse");
        Files.createSymbolicLink(src.resolve("abs-link"), Path.of("/etc/hostname"));
        Files.createSymbolicLink(src.resolve("dangling"), Path.of("no/such/file"));
        Files.createSymbolicLink(src.resolve("docs/out-of-tree"), Path.of("../../../../../tmp"));
        Files.createSymbolicLink(src.resolve("docs/deep/rel"), Path.of("../big.bin"));
        Files.createSymbolicLink(src.resolve("dir-link"), Path.of("docs"));
        Files.createLink(src.resolve("docs/deep/hard"), src.resolve("docs/big.bin"));
        Files.createLink(src.resolve("hard-too"), src.resolve("docs/big.bin"));
        sh(src, "mkfifo fifo");
        // a socket's name stays after its socket is closed: rsync -a (-D) recreates it, dwcp skipped it
        try (var s = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            s.bind(java.net.UnixDomainSocketAddress.of(src.resolve("docs/sock")));
        }
        if (ROOT) {
            sh(src, "mknod null-dev c 1 3 && chown 1234:5678 docs/deep/er/small && chown -h 4321:8765 dangling");
        }
        Files.setPosixFilePermissions(src.resolve("docs/deep/er/small"), Harness.perms(0640));
        Files.setPosixFilePermissions(src.resolve("locked/readme"), Harness.perms(0444));
        // Distinct nanosecond mtimes on everything, links and the FIFO included (touch -h: utimensat, never an
        // open, which would block on the FIFO).
        sh(src, "i=0; find . -depth | while read -r p; do i=$((i+1)); touch -h -d \"@$((1600000000+i)).123456789\" \"$p\"; done");
        Files.setPosixFilePermissions(src.resolve("locked"), Harness.perms(0555));
    }

    @Test
    void rsyncFindsNothingToChangeAfterASendAndAnIdenticalResendReadsNothing(@TempDir Path base) throws Exception {
        Assumptions.assumeTrue(hasRsync(), "rsync is not installed: it is the judge of fidelity here");
        Path src = base.resolve("src");
        makeTree(src);
        Result r = Harness.send(List.of(), List.of(src + "/"), server.target("fidelity"));
        r.assertExit(0);
        assertEquals(List.of(), rsyncDiff(src, serverRoot.resolve("fidelity")), r::toString);

        java.util.Map<Path, Object> ctimes = directoryCtimes(serverRoot.resolve("fidelity"));
        Result again = Harness.send(List.of(), List.of(src + "/"), server.target("fidelity"));
        again.assertExit(0);
        assertEquals(0, again.num("files_sent"), again::toString);
        assertEquals(ctimes, directoryCtimes(serverRoot.resolve("fidelity")),
                "an identical resend sets nothing, not even a directory's mode or time to the value it has");
        assertEquals(0, again.num("blocks_unchanged") + again.num("blocks_sent"), "quick check: no file was read");
        assertEquals(again.num("files"), again.num("identical_files"), again::toString);

        // Metadata-only changes travel without data.
        Files.setPosixFilePermissions(src.resolve("docs/big.bin"), Harness.perms(0600));
        Files.setLastModifiedTime(src.resolve("empty"), FileTime.from(Instant.ofEpochSecond(1_700_000_000, 5)));
        Result meta = Harness.send(List.of(), List.of(src + "/"), server.target("fidelity"));
        meta.assertExit(0);
        assertEquals(0, meta.num("blocks_sent"), meta::toString);
        assertEquals(List.of(), rsyncDiff(src, serverRoot.resolve("fidelity")), meta::toString);

        // A directory's mode changed at the source, another's at the receiver, and a file rewritten in the second:
        // each directory gets back what differs (its mode, and the mtime the rename into it moved).
        Files.setPosixFilePermissions(src.resolve("docs/deep"), Harness.perms(0710));
        Files.setPosixFilePermissions(serverRoot.resolve("fidelity/docs/deep/er"), Harness.perms(0700));
        FileTime small = Files.getLastModifiedTime(src.resolve("docs/deep/er/small"));
        Files.writeString(src.resolve("docs/deep/er/small"), "rewritten, and longer than it was");
        Files.setLastModifiedTime(src.resolve("docs/deep/er/small"), FileTime.from(small.toInstant().plusSeconds(1)));
        Result dirs = Harness.send(List.of(), List.of(src + "/"), server.target("fidelity"));
        dirs.assertExit(0);
        assertEquals(1, dirs.num("files_sent"), dirs::toString);
        assertEquals(List.of(), rsyncDiff(src, serverRoot.resolve("fidelity")), dirs::toString);

        Result checksum = Harness.send(List.of("--checksum"), List.of(src + "/"), server.target("fidelity"));
        checksum.assertExit(0);
        assertEquals(0, checksum.num("blocks_sent"), checksum::toString);
        assertTrue(checksum.num("blocks_unchanged") > 0, "--checksum compares blocks: " + checksum);
        assertEquals(0, checksum.num("files_sent"), "files found identical are not counted as sent: " + checksum);
        assertTrue(checksum.num("identical_files") > 0, checksum::toString);
    }

    /**
     * A file the server cannot create for a reason of its path alone (here a directory made immutable, where even
     * root gets EPERM) fails by name, and the rest of the tree arrives: exit 4, as rsync goes on. Its part file's
     * open failure on the data path ended the whole transfer before.
     */
    @Test
    void aFileThatCannotBeCreatedFailsByNameAndTheRestOfTheTreeArrives(@TempDir Path base) throws Exception {
        Path locked = Files.createDirectories(serverRoot.resolve("unwritable/locked"));
        Assumptions.assumeTrue(ROOT, "chattr +i needs root");
        Process chattr = new ProcessBuilder("chattr", "+i", locked.toString()).redirectErrorStream(true).start();
        String why = new String(chattr.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        Assumptions.assumeTrue(chattr.waitFor() == 0, "chattr +i is not supported here: " + why);
        try {
            Path src = Files.createDirectories(base.resolve("src/locked"));
            Files.createDirectories(base.resolve("src/open"));
            for (int i = 0; i < 20; i++) {
                Harness.randomFile(base.resolve("src/open/f" + i), 1000 + i * 7919L, 40 + i);
            }
            Harness.randomFile(src.resolve("new.bin"), 300_000, 39);
            Result r = Harness.send(List.of(), List.of(base.resolve("src") + "/"), server.target("unwritable"));
            r.assertExit(4);
            String failed = String.valueOf(r.json().get("failed_files"));
            assertTrue(failed.contains("locked/new.bin") && failed.contains("errno=EPERM"), r::toString);
            for (int i = 0; i < 20; i++) {
                assertEquals(-1L, Files.mismatch(base.resolve("src/open/f" + i), serverRoot.resolve("unwritable/open/f" + i)));
            }
            assertFalse(Files.exists(locked.resolve("new.bin")));
        } finally {
            new ProcessBuilder("chattr", "-i", locked.toString()).start().waitFor();
        }
    }

    @Test
    void aLaterTransferThroughAReceivedLinkWritesNothingOutsideTheRoot(@TempDir Path base) throws Exception {
        Path outside = Files.createDirectories(base.resolve("outside"));
        Path first = Files.createDirectories(base.resolve("first"));
        Files.createSymbolicLink(first.resolve("link"), outside);
        Harness.send(List.of(), List.of(first + "/"), server.target("through")).assertExit(0);
        assertTrue(Files.isSymbolicLink(serverRoot.resolve("through/link")));

        Path second = Files.createDirectories(base.resolve("second/link"));
        Files.writeString(second.resolve("file"), "must not land outside");
        // Into the link as DEST: refused, nothing written through it, the link left as it was.
        Result into = Harness.send(List.of(), List.of(second + "/"), server.target("through/link"));
        assertNotEquals(0, into.exit(), into::toString);
        try (var s = Files.list(outside)) {
            assertEquals(0, s.count(), "nothing was written through the link");
        }
        assertTrue(Files.isSymbolicLink(serverRoot.resolve("through/link")), "the link itself is left as it was");

        // A tree where the link's name is now a directory: as rsync does, the link makes way for a directory inside
        // the root (unlinked, never followed), and the file lands there.
        Result r = Harness.send(List.of(), List.of(base.resolve("second") + "/"), server.target("through"));
        r.assertExit(0);
        try (var s = Files.list(outside)) {
            assertEquals(0, s.count(), "nothing was written through the link");
        }
        assertFalse(Files.isSymbolicLink(serverRoot.resolve("through/link")));
        assertEquals("must not land outside", Files.readString(serverRoot.resolve("through/link/file")));
    }

    @Test
    void deleteRemovesOnlyWhatDestHoldsAndTheSourceLacks(@TempDir Path base) throws Exception {
        Path src = Files.createDirectories(base.resolve("src/keep"));
        Files.writeString(src.resolve("a"), "a");
        Path dst = Files.createDirectories(serverRoot.resolve("mirror/keep/old-dir/sub"));
        Files.writeString(dst.resolve("stale"), "stale");
        Files.writeString(serverRoot.resolve("mirror/keep/stale.txt"), "stale");
        Files.writeString(serverRoot.resolve("mirror/top-stale"), "stale");
        Files.writeString(serverRoot.resolve("sibling-of-mirror"), "outside DEST");
        Path outside = Files.createDirectories(base.resolve("outside"));
        Files.writeString(outside.resolve("precious"), "p");
        Files.createSymbolicLink(serverRoot.resolve("mirror/keep/link-out"), outside);

        Result dry = Harness.run("send", "--no-progress", "--delete", "-n", "-i", base.resolve("src") + "/",
                server.target("mirror"));
        dry.assertExit(0);
        assertTrue(dry.out().contains("*deleting   keep/stale.txt"), dry::toString);
        assertTrue(dry.out().contains("*deleting   top-stale"), dry::toString);
        assertTrue(dry.out().contains("<f+++++++++ keep/a"), dry::toString);
        assertTrue(Files.exists(serverRoot.resolve("mirror/keep/stale.txt")), "a dry run changes nothing");
        assertFalse(Files.exists(serverRoot.resolve("mirror/keep/a")), "a dry run changes nothing");

        Result r = Harness.send(List.of("--delete"), List.of(base.resolve("src") + "/"), server.target("mirror"));
        r.assertExit(0);
        assertEquals(List.of("keep", "keep/a"), Harness.listTree(serverRoot.resolve("mirror")), r::toString);
        assertEquals("outside DEST", Files.readString(serverRoot.resolve("sibling-of-mirror")));
        assertEquals("p", Files.readString(outside.resolve("precious")), "a link is removed, never followed");
        assertTrue(r.num("deleted") >= 4, r::toString);
    }

    /**
     * With filter rules, {@code --delete} keeps what they exclude at any depth below a directory it removes, and the
     * directories that hold it, as rsync does (it says "cannot delete non-empty directory"): judged by rsync's own
     * result from the same start. A directory the source lacks was once removed whole, excluded files and all.
     */
    @Test
    void deleteKeepsWhatTheRulesExcludeAtAnyDepthAsRsyncDoes(@TempDir Path base) throws Exception {
        Assumptions.assumeTrue(hasRsync(), "rsync is not installed: it is the judge here");
        Path src = Files.createDirectories(base.resolve("src/kept"));
        Files.writeString(src.resolve("a.txt"), "a");
        Files.writeString(src.resolve("b.log"), "b");
        List<List<String>> rules = List.of(List.of("--include", "*/", "--exclude", "*"), List.of("--exclude", "*.log"),
                List.of("--exclude", "gone/keep/"), List.of("--exclude", "nothing"));
        for (int i = 0; i < rules.size(); i++) {
            Path byRsync = base.resolve("rsync" + i);
            Path byDwcp = serverRoot.resolve("rules" + i);
            for (Path d : List.of(byRsync, byDwcp)) {
                Files.createDirectories(d.resolve("gone/keep/deeper"));
                Files.createDirectories(d.resolve("gone/empty"));
                Files.createDirectories(d.resolve("kept"));
                Files.writeString(d.resolve("gone/x.txt"), "x");
                Files.writeString(d.resolve("gone/y.log"), "y");
                Files.writeString(d.resolve("gone/keep/deeper/z.log"), "z");
                Files.writeString(d.resolve("gone/keep/w.txt"), "w");
                Files.writeString(d.resolve("kept/stale.txt"), "s");
                Files.writeString(d.resolve("kept/stale.log"), "s");
            }
            List<String> cmd = new java.util.ArrayList<>(List.of("rsync", "-a", "--delete"));
            cmd.addAll(rules.get(i));
            cmd.addAll(List.of(base.resolve("src") + "/", byRsync + "/"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);

            List<String> options = new java.util.ArrayList<>(List.of("--delete"));
            options.addAll(rules.get(i));
            Result r = Harness.send(options, List.of(base.resolve("src") + "/"), server.target("rules" + i));
            r.assertExit(0);
            assertEquals(Harness.listTree(byRsync), Harness.listTree(byDwcp), rules.get(i) + ": " + r);
        }
    }

    /**
     * A source that is a symlink is sent as that link, whatever it points at, and with a trailing slash the directory
     * it leads to is sent, as {@code rsync -a} does both. The link was once followed, and its target's contents
     * arrived under the target's name; a dangling one was refused as not found.
     */
    @Test
    void aSymlinkSourceIsSentAsTheLinkAndWithASlashAsItsDirectory(@TempDir Path base) throws Exception {
        Path real = Files.createDirectories(base.resolve("real/dir"));
        Files.writeString(real.resolve("f"), "f");
        Files.writeString(base.resolve("real/file"), "file");
        Path links = Files.createDirectories(base.resolve("links"));
        Files.createSymbolicLink(links.resolve("to-dir"), real);
        Files.createSymbolicLink(links.resolve("to-file"), base.resolve("real/file"));
        Files.createSymbolicLink(links.resolve("dangling"), Path.of("nowhere"));
        Result r = Harness.send(List.of(), List.of(links.resolve("to-dir").toString(), links.resolve("to-file").toString(),
                links.resolve("dangling").toString()), server.target("link-sources"));
        r.assertExit(0);
        Path dst = serverRoot.resolve("link-sources");
        assertEquals(List.of("dangling", "to-dir", "to-file"), Harness.listTree(dst), r::toString);
        assertEquals(real, Files.readSymbolicLink(dst.resolve("to-dir")));
        assertEquals(base.resolve("real/file"), Files.readSymbolicLink(dst.resolve("to-file")));
        assertEquals(Path.of("nowhere"), Files.readSymbolicLink(dst.resolve("dangling")));

        Result contents = Harness.send(List.of(), List.of(links.resolve("to-dir") + "/"), server.target("link-contents"));
        contents.assertExit(0);
        assertEquals(List.of("f"), Harness.listTree(serverRoot.resolve("link-contents")), contents::toString);
    }

    /**
     * A file, a link or a FIFO that became a directory at the source: the receiver's one makes way, as rsync's does
     * (it was refused with exists-as-non-directory, and everything below it failed with not-a-directory).
     */
    @Test
    void aFileLinkOrFifoThatBecameADirectoryMakesWayForIt(@TempDir Path base) throws Exception {
        Assumptions.assumeTrue(hasRsync(), "rsync is not installed: it is the judge of fidelity here");
        Path src = Files.createDirectories(base.resolve("src"));
        Files.writeString(src.resolve("was-file"), "f");
        Files.createSymbolicLink(src.resolve("was-link"), Path.of("was-file"));
        Process mkfifo = new ProcessBuilder("mkfifo", src.resolve("was-fifo").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        String target = server.target("became-dirs");
        Harness.send(List.of(), List.of(src + "/"), target).assertExit(0);
        Path dst = serverRoot.resolve("became-dirs");
        assertTrue(Files.isSymbolicLink(dst.resolve("was-link")));

        for (String name : List.of("was-file", "was-link", "was-fifo")) {
            Files.delete(src.resolve(name));
            Files.createDirectories(src.resolve(name + "/inner"));
            Files.writeString(src.resolve(name + "/inner/x"), name);
        }
        Result dry = Harness.run("send", "--no-progress", "-n", "-i", src + "/", target);
        dry.assertExit(0);
        assertTrue(dry.out().contains("cd+++++++++ was-link/"), dry::toString);
        assertTrue(Files.isSymbolicLink(dst.resolve("was-link")), "a dry run changes nothing");
        Result again = Harness.send(List.of(), List.of(src + "/"), target);
        again.assertExit(0);
        assertEquals(List.of(), rsyncDiff(src, dst), again::toString);
    }

    /**
     * A directory that became a file or a link at the source makes way for it as rsync's does: an empty one always;
     * one with contents is refused (the rest goes on) unless {@code --delete} is given, which removes it. Judged by
     * rsync's own result from the same start, without and then with {@code --delete}.
     */
    @Test
    void aDirectoryThatBecameAFileMakesWayWhenEmptyOrUnderDelete(@TempDir Path base) throws Exception {
        Assumptions.assumeTrue(hasRsync(), "rsync is not installed: it is the judge of fidelity here");
        Path src = Files.createDirectories(base.resolve("src"));
        Files.createDirectories(src.resolve("empty"));
        Files.createDirectories(src.resolve("full/inner"));
        Files.writeString(src.resolve("full/inner/x"), "x");
        Files.createDirectories(src.resolve("to-link/inner"));
        Files.writeString(src.resolve("to-link/y"), "y");
        Path byRsync = base.resolve("by-rsync");
        Path dst = serverRoot.resolve("became-files");
        assertEquals(0, rsync(List.of("-a", src + "/", byRsync + "/")));
        Harness.send(List.of(), List.of(src + "/"), server.target("became-files")).assertExit(0);

        for (String name : List.of("empty", "full", "to-link")) {
            Harness.deleteTree(src.resolve(name));
        }
        Files.writeString(src.resolve("empty"), "now a file");
        Files.writeString(src.resolve("full"), "now a file");
        Files.createSymbolicLink(src.resolve("to-link"), Path.of("full"));
        Files.setLastModifiedTime(src, FileTime.fromMillis(1_600_000_000_000L));

        assertTrue(rsync(List.of("-a", src + "/", byRsync + "/")) != 0, "rsync refuses the non-empty ones too");
        Result kept = Harness.send(List.of(), List.of(src + "/"), server.target("became-files"));
        assertEquals(4, kept.exit(), kept::toString);
        assertEquals(Harness.listTree(byRsync), Harness.listTree(dst), kept::toString);

        assertEquals(0, rsync(List.of("-a", "--delete", src + "/", byRsync + "/")));
        Result deleted = Harness.send(List.of("--delete"), List.of(src + "/"), server.target("became-files"));
        deleted.assertExit(0);
        assertEquals(Harness.listTree(byRsync), Harness.listTree(dst), deleted::toString);
        assertEquals(List.of(), rsyncDiff(src, dst), deleted::toString);
    }

    private static int rsync(List<String> args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("rsync"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        return p.waitFor();
    }

    @Test
    void itemizedChangesListWhatIsNewAndNothingOnAnIdenticalResend(@TempDir Path base) throws Exception {
        Path src = Files.createDirectories(base.resolve("src/sub"));
        Files.writeString(src.resolve("f"), "f");
        Files.createSymbolicLink(base.resolve("src/link"), Path.of("/etc/hostname"));
        Result first = Harness.run("send", "--no-progress", "-i", base.resolve("src") + "/", server.target("itemized"));
        first.assertExit(0);
        assertEquals(List.of("cd+++++++++ ./", "cL+++++++++ link -> /etc/hostname", "cd+++++++++ sub/",
                "<f+++++++++ sub/f"), first.out().lines().filter(l -> !l.startsWith("sent ")).toList(), first::toString);
        Result again = Harness.run("send", "--no-progress", "-i", base.resolve("src") + "/", server.target("itemized"));
        again.assertExit(0);
        assertEquals(List.of(), again.out().lines().filter(l -> !l.startsWith("sent ")).toList(), again::toString);
    }

    /**
     * The itemized lines of a send are the ones rsync lists for the same changes (its dry run into the same
     * destination just before, {@code >} for a local copy read as {@code <} for a push): by size and time, and with
     * {@code --checksum}, where a file of unchanged size is listed once compared (not at all when it is the same,
     * {@code c} when it differs).
     */
    @Test
    void itemizedLinesAreRsyncsForEachKindOfChange(@TempDir Path base) throws Exception {
        for (String mode : List.of("quick", "checksum")) {
            Path src = Files.createDirectories(base.resolve(mode + "/src"));
            java.util.Random r = new java.util.Random(mode.hashCode());
            for (String name : List.of("same", "grown", "rewritten", "touched", "perms", "small")) {
                byte[] b = new byte[name.equals("small") ? 100 : 200_000];
                r.nextBytes(b);
                Files.write(src.resolve(name), b);
                Files.setLastModifiedTime(src.resolve(name), FileTime.fromMillis(1_600_000_000_000L));
            }
            Files.setLastModifiedTime(src, FileTime.fromMillis(1_600_000_000_000L));
            String target = server.target("itemize-" + mode);
            List<String> options = mode.equals("checksum") ? List.of("--checksum") : List.of();
            Harness.send(options, List.of(src + "/"), target).assertExit(0);
            Path dst = serverRoot.resolve("itemize-" + mode);

            Files.write(src.resolve("grown"), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
            byte[] b = new byte[200_000];
            r.nextBytes(b);
            Files.write(src.resolve("rewritten"), b);
            Files.setLastModifiedTime(src.resolve("touched"), FileTime.fromMillis(1_700_000_000_000L));
            Files.setPosixFilePermissions(src.resolve("perms"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            for (String name : List.of("grown", "perms")) {
                Files.setLastModifiedTime(src.resolve(name), FileTime.fromMillis(1_600_000_000_000L));
            }
            Files.setLastModifiedTime(src, FileTime.fromMillis(1_600_000_000_000L));

            List<String> rsyncArgs = new java.util.ArrayList<>(List.of("rsync", mode.equals("checksum") ? "-acn" : "-an",
                    "--itemize-changes", "--numeric-ids", src + "/", dst + "/"));
            Process p = new ProcessBuilder(rsyncArgs).redirectErrorStream(true).start();
            String rsyncOut = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), rsyncOut);
            List<String> expected = rsyncOut.lines().filter(l -> !l.isBlank())
                    .map(l -> l.startsWith(">") ? "<" + l.substring(1) : l).sorted().toList();

            List<String> args = new java.util.ArrayList<>(List.of("send", "--no-progress", "-i"));
            args.addAll(options);
            args.addAll(List.of(src + "/", target));
            Result sent = Harness.run(args.toArray(String[]::new));
            sent.assertExit(0);
            assertEquals(expected, sent.out().lines().filter(l -> !l.startsWith("sent ")).sorted().toList(),
                    mode + ": " + sent);
            assertEquals(List.of(), rsyncDiff(src, dst), sent::toString);
        }
    }

    /**
     * Names as long as a name can be (255 bytes, in one-byte and three-byte characters, for a file, a directory, a
     * link and a second hard link) and names with characters rsync keeps (a newline, a tab, a backslash, leading and
     * trailing spaces): copied exactly, and again after a change, which sends the long-named file against its basis
     * through a part file whose own name has no room for the suffix. A 255-byte name once failed the whole transfer
     * (its part file's name was 265 bytes: ENAMETOOLONG), and a backslash was refused.
     */
    @Test
    void namesAtTheByteLimitAndWithAnyCharacterArriveAsRsyncKeepsThem(@TempDir Path base) throws Exception {
        Assumptions.assumeTrue(hasRsync(), "rsync is not installed: it is the judge of fidelity here");
        Path src = Files.createDirectories(base.resolve("src"));
        String ascii = "a".repeat(255);
        String wide = "\u65e5".repeat(85); // 255 bytes of UTF-8
        Path big = randomFile(src.resolve(ascii), 6L << 20, 31);
        Files.writeString(src.resolve(wide), "wide");
        Path dir = Files.createDirectories(src.resolve("d".repeat(255)));
        Files.writeString(dir.resolve("e".repeat(255)), "deep");
        Files.createSymbolicLink(src.resolve("l".repeat(255)), Path.of("target"));
        Files.createLink(src.resolve("h".repeat(255)), src.resolve(wide));
        for (String odd : List.of("..\\escape", "new\nline", "tab\there", " lead", "trail ", "-dash", "*star?", "\\")) {
            Files.writeString(src.resolve(odd), odd);
        }
        String target = server.target("long-names");
        Path dst = serverRoot.resolve("long-names");
        Result first = Harness.send(List.of(), List.of(src + "/"), target);
        first.assertExit(0);
        assertEquals(List.of(), rsyncDiff(src, dst), first::toString);

        DeltaTransferTest.rewriteOne(big, 300);
        Files.setLastModifiedTime(big, FileTime.fromMillis(Files.getLastModifiedTime(big).toMillis() + 5000));
        Result again = Harness.send(List.of(), List.of(src + "/"), target);
        again.assertExit(0);
        assertEquals(1, again.num("files_sent"), again::toString);
        assertEquals(List.of(), rsyncDiff(src, dst), again::toString);
        // The whole root, and beside it, where "..\\escape" would land were the backslash a separator (the rest of
        // the temp directory is other processes' business: walking it met their files).
        try (var inRoot = Files.walk(serverRoot); var beside = Files.list(serverRoot.getParent())) {
            assertEquals(List.of(), java.util.stream.Stream.concat(inRoot, beside).map(Path::getFileName)
                    .map(Path::toString).filter(n -> n.endsWith(".dwcp-part") || n.equals("escape")).toList(),
                    "no part file left, nothing outside");
        }
    }

    @Test
    void deleteThroughADestThatIsALinkOrLeavesTheRootIsRefused(@TempDir Path base) throws Exception {
        Path src = Files.createDirectories(base.resolve("src"));
        Files.writeString(src.resolve("a"), "a");
        Path outside = Files.createDirectories(base.resolve("victim"));
        Files.writeString(outside.resolve("precious"), "p");
        Files.createSymbolicLink(serverRoot.resolve("dest-link"), outside);
        Result viaLink = Harness.send(List.of("--delete"), List.of(src + "/"), server.target("dest-link"));
        assertEquals(2, viaLink.exit(), viaLink::toString);
        Result up = Harness.send(List.of("--delete"), List.of(src + "/"), server.target("x/../.."));
        assertTrue(up.exit() != 0, up::toString);
        assertEquals(List.of("precious"), Harness.listTree(outside));
    }

    @Test
    void excludedNamesAreNeitherSentNorDeleted(@TempDir Path base) throws Exception {
        Path src = Files.createDirectories(base.resolve("src/build"));
        Files.writeString(base.resolve("src/a.c"), "c");
        Files.writeString(base.resolve("src/a.o"), "o");
        Files.writeString(src.resolve("out"), "x");
        Files.createDirectories(serverRoot.resolve("ex"));
        Files.writeString(serverRoot.resolve("ex/old.o"), "receiver's own object file");
        Result r = Harness.send(List.of("--delete", "--exclude", "*.o", "--exclude=build/"),
                List.of(base.resolve("src") + "/"), server.target("ex"));
        r.assertExit(0);
        assertEquals(List.of("a.c", "old.o"), Harness.listTree(serverRoot.resolve("ex")), r::toString);
    }

    @Test
    void includeAndExcludeApplyInTheOrderGivenAsInRsync(@TempDir Path base) throws Exception {
        Path src = Files.createDirectories(base.resolve("src"));
        Files.writeString(src.resolve("keep.log"), "k");
        Files.writeString(src.resolve("other.log"), "o");
        Files.writeString(src.resolve("a.c"), "c");
        Path rules = Files.writeString(base.resolve("rules"), "- a.c\n");
        // the first matching rule wins: an include before the exclude keeps its file...
        Result first = Harness.send(List.of("--include", "keep.log", "--exclude=*.log"), List.of(src + "/"),
                server.target("order1"));
        first.assertExit(0);
        assertEquals(List.of("a.c", "keep.log"), Harness.listTree(serverRoot.resolve("order1")), first::toString);
        // ...and after it, does not; --exclude-from takes its place among the others
        Result second = Harness.send(List.of("--exclude=*.log", "--include", "keep.log", "--exclude-from",
                rules.toString()), List.of(src + "/"), server.target("order2"));
        second.assertExit(0);
        assertEquals(List.of(), Harness.listTree(serverRoot.resolve("order2")), second::toString);
    }

    @Test
    void moreEntriesThanTheWindowGoThroughWithBoundedBatches(@TempDir Path base) throws Exception {
        Path src = Files.createDirectories(base.resolve("many"));
        List<String> names = new ArrayList<>();
        for (int d = 0; d < 70; d++) {
            Path dir = Files.createDirectories(src.resolve("d" + d));
            for (int f = 0; f < 1000; f++) {
                Files.write(dir.resolve("f" + f), new byte[0]);
            }
            names.add("d" + d);
        }
        Result r = Harness.run(java.time.Duration.ofSeconds(150), List.of("send", "--json", "--no-progress",
                src + "/", server.target("many")));
        r.assertExit(0);
        assertEquals(70_000, r.num("files"), r::toString);
        assertEquals(70_071, r.num("entries"), r::toString); // DEST itself, 70 directories, 70,000 files
        try (var s = Files.list(serverRoot.resolve("many/d69"))) {
            assertEquals(1000, s.count());
        }
    }
}
