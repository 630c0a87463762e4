package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code send -X} as {@code rsync -aHX} keeps extended attributes, judged by rsync itself: after a send,
 * {@code rsync -aHXcn --itemize-changes --numeric-ids SRC/ DST/} must print nothing. {@code user.*} attributes are set
 * with the JDK; as root, {@code trusted.*} and {@code security.*} ones (links and FIFOs included) with {@code setfattr},
 * which the project's script installs.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class XattrFidelityTest {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private static boolean onPath(String tool) {
        try {
            return new ProcessBuilder(tool, "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** setfattr, installed by the project's script when missing and this is root (as on CI). */
    private static boolean setfattr() throws Exception {
        if (!onPath("setfattr") && ROOT) {
            Path script = Path.of(System.getProperty("user.dir")).resolveSibling("scripts").resolve("install-tools.sh");
            if (Files.isExecutable(script)) {
                Process p = new ProcessBuilder(script.toString(), "setfattr").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(300, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        return onPath("setfattr");
    }

    private static void assumeUserXattrs(Path dir) throws IOException {
        Path probe = Files.createTempFile(dir, "probe", "");
        try {
            view(probe).write("probe", ByteBuffer.wrap(new byte[] {1}));
        } catch (FileSystemException | UnsupportedOperationException e) {
            Assumptions.abort("the temporary file system keeps no user.* attributes (tmpfs before Linux 6.6): " + e);
        } finally {
            Files.delete(probe);
        }
    }

    private static UserDefinedFileAttributeView view(Path p) {
        return Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    }

    static void setUser(Path p, String name, byte[] value) throws IOException {
        view(p).write(name, ByteBuffer.wrap(value));
    }

    /** {@code user.*} attributes of {@code p} as the JDK sees them, values as text. */
    static Map<String, String> userAttrs(Path p) throws IOException {
        UserDefinedFileAttributeView v = view(p);
        Map<String, String> out = new TreeMap<>();
        for (String n : v.list()) {
            ByteBuffer b = ByteBuffer.allocate(v.size(n));
            v.read(n, b);
            out.put(n, new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** {@code setfattr [-h] -n NAME -v 0xHEX PATH}: any namespace, the link itself with {@code link}. */
    private static void setfattr(Path p, String name, byte[] value, boolean link) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("setfattr"));
        if (link) {
            cmd.add("-h");
        }
        cmd.addAll(List.of("-n", name, "-v", "0x" + HexFormat.of().formatHex(value), p.toString()));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, proc.waitFor(), cmd + "\n" + out);
    }

    /** What rsync -X would still change to make {@code dst} like {@code src}: empty when they match. */
    static List<String> rsyncDiffX(Path src, Path dst) throws Exception {
        Process p = new ProcessBuilder("rsync", "-aHXcn", "--itemize-changes", "--numeric-ids", src + "/", dst + "/")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void attributesArriveAsRsyncKeepsThemAndReSyncsFixThemWithoutData(@TempDir Path base) throws Exception {
        Assumptions.assumeTrue(TreeFidelityTest.hasRsync(), "rsync is not installed: it is the judge of fidelity here");
        assumeUserXattrs(base);
        try (ServerProcess server = ServerProcess.serve(Files.createDirectories(base.resolve("server-root")))) {
            sendTreeAndReSync(base, server, base.resolve("server-root/xattrs"));
        }
    }

    private void sendTreeAndReSync(Path base, ServerProcess server, Path dst) throws Exception {
        Path src = base.resolve("src");
        TreeFidelityTest.makeTree(src);
        setUser(src, "top", utf8("DEST itself"));
        setUser(src.resolve("docs"), "dir", utf8("on a directory"));
        setUser(src.resolve("docs/big.bin"), "a", utf8("first"));
        setUser(src.resolve("docs/big.bin"), "b", utf8("second")); // docs/deep/hard and hard-too share them
        setUser(src.resolve("docs/deep/er/small"), "bin", Harness.random(3, 2000));
        setUser(src.resolve("empty"), "empty", new byte[0]);
        setUser(src.resolve("locked/readme"), "ro", utf8("on a read-only file"));
        boolean privileged = ROOT && setfattr();
        if (privileged) {
            setfattr(src.resolve("docs/big.bin"), "trusted.t", utf8("trusted"), false);
            setfattr(src.resolve("empty"), "security.s", utf8("security"), false);
            setfattr(src.resolve("dangling"), "trusted.link", utf8("on the link itself"), true);
            setfattr(src.resolve("fifo"), "trusted.fifo", utf8("on a FIFO"), true);
            setfattr(src.resolve("docs"), "trusted.dir", utf8("t"), false);
        }

        Result r = Harness.send(List.of("-X"), List.of(src + "/"), server.target("xattrs"));
        r.assertExit(0);
        assertEquals(List.of(), rsyncDiffX(src, dst), r::toString);
        assertEquals(Map.of("a", "first", "b", "second"), userAttrs(dst.resolve("docs/big.bin")), r::toString);
        assertEquals(Map.of("top", "DEST itself"), userAttrs(dst));
        assertEquals(List.of(), TreeFidelityTest.rsyncDiff(src, dst), "and everything -aH keeps");

        // A re-sync fixes changed and removed attributes of unchanged files and directories, moving no data.
        setUser(src.resolve("docs/big.bin"), "a", utf8("changed"));
        view(src.resolve("docs/big.bin")).delete("b");
        view(src.resolve("docs")).delete("dir");
        setUser(src.resolve("docs/deep/er/small"), "new", utf8("added"));
        setUser(src.resolve("locked/readme"), "ro", utf8("changed on a read-only file"));
        Result dry = Harness.run("send", "--no-progress", "-X", "-n", "-i", src + "/", server.target("xattrs"));
        dry.assertExit(0);
        List<String> lines = dry.out().lines().filter(l -> !l.startsWith("sent ")).toList();
        // hard-too is the first name of docs/big.bin's inode offered (names before subdirectories), the others are links
        assertEquals(List.of(".d........x docs/", ".f........x docs/deep/er/small", ".f........x hard-too",
                ".f........x locked/readme"), lines.stream().sorted().toList(), dry::toString);
        assertEquals(Map.of("a", "first", "b", "second"), userAttrs(dst.resolve("docs/big.bin")), "a dry run changes nothing");

        Result again = Harness.send(List.of("-X"), List.of(src + "/"), server.target("xattrs"));
        again.assertExit(0);
        assertEquals(0, again.num("files_sent"), again::toString);
        assertEquals(0, again.num("blocks_sent") + again.num("blocks_unchanged"), "quick check: no file was read");
        assertEquals(List.of(), rsyncDiffX(src, dst), again::toString);
        assertEquals(Map.of("a", "changed"), userAttrs(dst.resolve("docs/big.bin")));
        assertEquals(Map.of(), userAttrs(dst.resolve("docs")));

        Result same = Harness.run("send", "--no-progress", "-X", "-i", src + "/", server.target("xattrs"));
        same.assertExit(0);
        assertEquals(List.of(), same.out().lines().filter(l -> !l.startsWith("sent ")).toList(), same::toString);

        // Without -X attributes do not travel and the server's stay as they are.
        setUser(src.resolve("docs/big.bin"), "a", utf8("not sent"));
        Harness.send(List.of(), List.of(src + "/"), server.target("xattrs")).assertExit(0);
        assertEquals(Map.of("a", "changed"), userAttrs(dst.resolve("docs/big.bin")));
    }

    @Test
    void singleFilesCarryTheirAttributesToo(@TempDir Path base) throws Exception {
        assumeUserXattrs(base);
        Path f = Harness.randomFile(base.resolve("one.bin"), 5000, 9);
        setUser(f, "mime_type", utf8("application/octet-stream"));
        Path root = Files.createDirectories(base.resolve("server-root"));
        try (ServerProcess server = ServerProcess.serve(root)) {
            Harness.send(List.of("-X"), List.of(f), server.target("single")).assertExit(0);
        }
        assertEquals(Map.of("mime_type", "application/octet-stream"), userAttrs(root.resolve("single/one.bin")));
    }

    @Test
    void thePortablePathKeepsUserAttributesAndNamesWhatItCannotApply(@TempDir Path base) throws Exception {
        assumeUserXattrs(base);
        Path portableRoot = Files.createDirectories(base.resolve("portable-root"));
        Path src = Files.createDirectories(base.resolve("src/sub"));
        Files.writeString(src.resolve("f"), "data");
        setUser(src.resolve("f"), "a", utf8("user"));
        setUser(src, "d", utf8("dir"));
        boolean privileged = ROOT && setfattr();
        if (privileged) {
            setfattr(src.resolve("f"), "trusted.t", utf8("root only"), false);
        }
        try (ServerProcess portable = ServerProcess.serve(portableRoot, "--io", "portable")) {
            Result r = Harness.send(List.of("-X"), List.of(base.resolve("src") + "/"), portable.target("native-sender"));
            r.assertExit(0);
            assertEquals(Map.of("a", "user"), userAttrs(portableRoot.resolve("native-sender/sub/f")), r::toString);
            assertEquals(Map.of("d", "dir"), userAttrs(portableRoot.resolve("native-sender/sub")));
            if (privileged) {
                assertTrue(r.json().get("warnings").toString().contains(
                        "path=\"sub/f\" reason=xattrs-skipped-portable-io names=trusted.t"), r::toString);
                assertTrue(Harness.eventually(java.time.Duration.ofSeconds(5),
                        () -> portable.log().contains("xattrs_skipped=1")), portable::log);
            }

            Result p = Harness.send(List.of("-X", "--io", "portable"), List.of(base.resolve("src") + "/"),
                    portable.target("portable-sender"));
            p.assertExit(0);
            assertTrue(p.err().contains("reads user.* extended attributes only"), p::toString);
            assertEquals(Map.of("a", "user"), userAttrs(portableRoot.resolve("portable-sender/sub/f")), p::toString);
        }
    }
}
