package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Owners by name, as rsync keeps them by default: a server running as root gives each file the ids its owner's and
 * group's names have there. Two hosts with different account databases are one host here with two mount namespaces,
 * each with its own {@code /etc/passwd} and {@code /etc/group} bound over the real ones ({@code unshare --mount}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OwnerNamesTest {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private static void assumeRoot() {
        Assumptions.assumeTrue(ROOT, "owners are applied only by a server running as root");
    }

    /** The JVM's command line behind a private mount namespace that sees {@code passwd} and {@code group}. */
    private static List<String> withAccounts(Path passwd, Path group) {
        return List.of("unshare", "--mount", "sh", "-c",
                "mount --bind \"$1\" /etc/passwd && mount --bind \"$2\" /etc/group && shift 2 && exec \"$@\"", "sh",
                passwd.toString(), group.toString());
    }

    private static void assumeUnshare(Path dir) throws Exception {
        Path p = Files.writeString(dir.resolve("probe-passwd"), "probe:x:1:1::/:/bin/sh\n");
        List<String> cmd = new java.util.ArrayList<>(withAccounts(p, Path.of("/etc/group")));
        cmd.addAll(List.of("grep", "-q", "^probe:", "/etc/passwd"));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        Assumptions.assumeTrue(proc.waitFor() == 0, "needs unshare --mount and bind mounts (root): " + out);
    }

    /** This host's file with {@code extra} lines added, so that everything else still resolves as before. */
    private static Path accounts(Path dir, String name, Path real, String extra) throws IOException {
        return Files.writeString(dir.resolve(name), Files.readString(real) + extra);
    }

    private static List<Integer> owner(Path p) throws IOException {
        return List.of((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS));
    }

    private static void chown(Path p, int uid, int gid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void namesMapToTheReceiversIdsAndNumericIdsKeepsTheNumbers(@TempDir Path base) throws Exception {
        assumeRoot();
        assumeUnshare(base);
        Path sendPasswd = accounts(base, "send-passwd", Path.of("/etc/passwd"),
                "dwcpowner:x:3001:3001::/:/bin/false\nonlysender:x:3003:3003::/:/bin/false\n");
        Path sendGroup = accounts(base, "send-group", Path.of("/etc/group"), "dwcpgroup:x:3002:\n");
        Path recvPasswd = accounts(base, "recv-passwd", Path.of("/etc/passwd"), "dwcpowner:x:4001:4001::/:/bin/false\n");
        Path recvGroup = accounts(base, "recv-group", Path.of("/etc/group"), "dwcpgroup:x:4002:\n");

        Path src = Files.createDirectories(base.resolve("src/sub"));
        Map<String, List<Integer>> owners = Map.of(
                "sub", List.of(3001, 3002),
                "sub/named", List.of(3001, 3002),
                "sub/unknown-there", List.of(3003, 3002),
                "sub/no-name", List.of(5555, 5556),
                "sub/root", List.of(0, 0));
        for (Map.Entry<String, List<Integer>> e : owners.entrySet()) {
            Path p = base.resolve("src").resolve(e.getKey());
            if (!Files.exists(p)) {
                Files.writeString(p, e.getKey());
            }
            chown(p, e.getValue().get(0), e.getValue().get(1));
        }
        Files.createSymbolicLink(src.resolve("link"), Path.of("named"));
        chown(src.resolve("link"), 3001, 3002);

        Path root = Files.createDirectories(base.resolve("server-root"));
        try (ServerProcess server = ServerProcess.start(withAccounts(recvPasswd, recvGroup),
                List.of("serve", "--root", root.toString(), "--listen", "127.0.0.1:0", "--data-port", "0"), Map.of())) {
            List<String> sender = withAccounts(sendPasswd, sendGroup);
            Result byName = Harness.run(Duration.ofSeconds(60), sender, List.of("send", "--json", "--no-progress",
                    base.resolve("src") + "/", server.target("by-name")));
            byName.assertExit(0);
            Path d = root.resolve("by-name");
            assertEquals(List.of(4001, 4002), owner(d.resolve("sub")), byName::toString);
            assertEquals(List.of(4001, 4002), owner(d.resolve("sub/named")), byName::toString);
            assertEquals(List.of(4001, 4002), owner(d.resolve("sub/link")), "the link itself");
            assertEquals(List.of(3003, 4002), owner(d.resolve("sub/unknown-there")), "a name unknown there: the number");
            assertEquals(List.of(5555, 5556), owner(d.resolve("sub/no-name")), "no name here: the number");
            assertEquals(List.of(0, 0), owner(d.resolve("sub/root")));

            Result again = Harness.run(Duration.ofSeconds(60), sender, List.of("send", "--no-progress", "-i",
                    base.resolve("src") + "/", server.target("by-name")));
            again.assertExit(0);
            assertEquals(List.of(), again.out().lines().filter(l -> !l.startsWith("sent ")).toList(),
                    "mapped owners are what the receiver compares against: " + again);

            Result numeric = Harness.run(Duration.ofSeconds(60), sender, List.of("send", "--json", "--no-progress",
                    "--numeric-ids", base.resolve("src") + "/", server.target("numeric")));
            numeric.assertExit(0);
            Path n = root.resolve("numeric");
            assertEquals(List.of(3001, 3002), owner(n.resolve("sub/named")), numeric::toString);
            assertEquals(List.of(3003, 3002), owner(n.resolve("sub/unknown-there")));
            if (TreeFidelityTest.hasRsync()) {
                assertEquals(List.of(), TreeFidelityTest.rsyncDiff(base.resolve("src"), n), "exact by number");
            }
        }
    }

    @Test
    void aFileOfANamedUserArrivesWithThatOwner(@TempDir Path base) throws Exception {
        assumeRoot();
        UserPrincipalLookupService users = base.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal daemon;
        GroupPrincipal group;
        try {
            daemon = users.lookupPrincipalByName("daemon");
            group = users.lookupPrincipalByGroupName("daemon");
        } catch (UserPrincipalNotFoundException e) {
            Assumptions.abort("this host has no user and group named daemon");
            return;
        }
        Path f = Files.writeString(Files.createDirectories(base.resolve("src")).resolve("owned"), "x");
        PosixFileAttributeView v = Files.getFileAttributeView(f, PosixFileAttributeView.class);
        v.setOwner(daemon);
        v.setGroup(group);
        Path root = Files.createDirectories(base.resolve("server-root"));
        try (ServerProcess server = ServerProcess.serve(root)) {
            Harness.send(List.of(), List.of(f), server.target("")).assertExit(0);
        }
        PosixFileAttributes a = Files.readAttributes(root.resolve("owned"), PosixFileAttributes.class);
        assertEquals("daemon", a.owner().getName());
        assertEquals("daemon", a.group().getName());
    }
}
