package io.dwcp.cli;

import io.dwcp.cli.args.Command;
import io.dwcp.cli.args.CommandSpec;
import io.dwcp.cli.args.OptionSpec;
import io.dwcp.cli.args.ParsedArgs;
import io.dwcp.engine.send.SourceScanner;
import io.dwcp.engine.send.Target;
import io.dwcp.engine.send.TransferClient;
import io.dwcp.engine.send.TransferResult;
import io.dwcp.core.Limits;
import io.dwcp.core.Log;
import io.dwcp.core.codec.CompressMode;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.server.DwcpServer;
import io.dwcp.server.ServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

final class DemoCommand implements Command {
    private static final String DESCRIPTION = "The whole job on one machine: an embedded receiver on loopback, a generated tree with one large "
                + "file, a full send, a partial change, a resend of only what changed, and an identical resend; "
                + "every result checked byte for byte.";
    /** Small files are cheap to ask for and each costs the receiver an inode: a bound keeps a typo harmless. */
    private static final int MAX_SMALL = 200_000;
    private static final int SMALL_SIZE = 4096;

    static final OptionSpec SIZE = OptionSpec.value("SIZE", "1G", "Size of the large file (default: ${DEFAULT-VALUE}).",
            "--size");

    static final OptionSpec DIR = OptionSpec.value("DIR", null, "Where the demo makes its work directory, which it "
            + "removes at the end; nothing else in DIR is touched (default: /dev/shm, else the temp dir).", "--dir");


    static final OptionSpec CHANGES = OptionSpec.value("N", "10", "4 KiB regions to overwrite before the resend "
            + "(default: ${DEFAULT-VALUE}).", "--changes");

    static final OptionSpec SMALL = OptionSpec.value("N", "0", "Also put N small files (4 KiB each, 100 per "
            + "directory) in the tree (default: ${DEFAULT-VALUE}).", "--small");

    static final OptionSpec KEEP = OptionSpec.flag("Keep the work directory.", "--keep");

    static final OptionSpec TUNNEL = OptionSpec.flag("Instead: the encrypted path. A network namespace plays the remote "
            + "site with its own DWCP WireGuard peer and sends a file of --size (default here 256M) through the tunnel to "
            + "this process's server, which runs inside a WireGuard interface (serve --tunnel). Needs root.", "--tunnel");


    static final CommandSpec SPEC = CommandSpec.builder("demo").description(DESCRIPTION)
            .options(SIZE, DIR, StreamsOption.STREAMS, CHANGES, SMALL, KEEP, TUNNEL).build();

    private final PrintStream out = System.out;
    private int streamCount;
    private int changes;

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public int run(ParsedArgs a) throws Exception {
        String size = a.value(SIZE);
        Path dir = a.path(DIR);
        changes = a.intValue(CHANGES);
        int small = a.intValue(SMALL);
        boolean keep = a.has(KEEP);
        long bigSize = Units.parseSize(size);
        if (bigSize < 1) {
            throw new IllegalArgumentException("size=" + size + " reason=must-be-positive");
        }
        streamCount = new StreamsOption(a).count();
        if (small < 0 || small > MAX_SMALL) {
            throw new IllegalArgumentException("small=" + small + " reason=out-of-range min=0 max=" + MAX_SMALL);
        }
        if (a.has(TUNNEL)) {
            long tunnelSize = a.has(SIZE) ? bigSize : 256L << 20;
            Path work = workDir(dir, 2 * tunnelSize);
            Log.setInfo(false);
            out.println("dwcp demo --tunnel: work directory " + work);
            try {
                return new TunnelDemo(out, tunnelSize, work).run();
            } finally {
                if (!keep) {
                    deleteTree(work);
                }
            }
        }
        Path work = workDir(dir, bigSize + (long) small * SMALL_SIZE);
        Path src = Files.createDirectories(work.resolve("src"));
        Path dst = Files.createDirectories(work.resolve("dst"));
        Log.setInfo(false);
        out.println("dwcp demo: work directory " + work);
        try {
            long t0 = System.nanoTime();
            Path tree = generate(src, bigSize, small);
            out.printf("generated %s: 1 file of %s plus a small tree (nested, empty dir, empty file, Unicode name, "
                    + "link)%s in %.1f s%n", tree, Units.bytes(bigSize),
                    small == 0 ? "" : " and " + small + " files of 4 KiB", (System.nanoTime() - t0) / 1e9);
            Limits limits = Limits.defaults();
            ServerConfig cfg = new ServerConfig(dst, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0, null,
                    false, false, limits);
            try (DwcpServer server = DwcpServer.start(cfg)) {
                out.println("receiver: 127.0.0.1:" + server.controlAddress().getPort() + " control on "
                        + server.transportName() + ", data port " + server.dataPort() + ", root " + dst);
                Target target = new Target("127.0.0.1", server.controlAddress().getPort(), "");
                boolean ok = step("1. full send", tree, target, limits, dst);

                int changed = change(tree.resolve("big.bin"), bigSize);
                out.printf("%n   changed %d regions of 4 KiB in big.bin (%s of %s)%n", changed,
                        Units.bytes(changed * 4096.0), Units.bytes(bigSize));
                ok &= step("2. resend after the change", tree, target, limits, dst);
                ok &= step("3. identical resend", tree, target, limits, dst);
                out.println();
                out.println(ok ? "demo: all transfers verified, received tree identical to the source"
                        : "demo: FAILED (see above)");
                return ok ? 0 : TransferResult.EXIT_VERIFY;
            }
        } finally {
            if (!keep) {
                deleteTree(work);
            } else {
                out.println("kept " + work);
            }
        }
    }

    private boolean step(String title, Path tree, Target target, Limits limits, Path dst) throws IOException {
        out.println();
        out.println(title);
        SourceScanner m = new SourceScanner(new SourceScanner.Options(limits.maxPathBytes()), List.of(tree.toString()))
                .check();
        TransferClient client = new TransferClient(new TransferClient.Options(streamCount, CompressMode.AUTO,
                Limits.DEFAULT_BLOCK_SIZE, new byte[0], limits));
        TransferResult r = client.send(m, target);
        SendCommand.report(r, false, out, System.err);
        double ratio = r.bytes() == 0 ? 0 : 100.0 * r.wireBytes() / r.bytes();
        out.printf("   wire/logical: %.3f%%%n", ratio);
        String diff = compare(tree, dst.resolve(tree.getFileName()));
        out.println("   independent check of the received tree: " + (diff == null ? "identical (content, modes, mtimes, link)" : diff));
        return r.exitCode() == 0 && diff == null;
    }

    /**
     * A new work directory in the given one, else in /dev/shm, else in the temp dir: the first with room for the
     * source tree and its received copy. It is always a directory of the demo's own, as the demo deletes it at the
     * end. Room is checked before anything is written, so a demo never stops half-way on a full disk (a
     * container's /dev/shm is often 64 MiB).
     */
    private static Path workDir(Path given, long treeBytes) throws IOException {
        long need = 2 * treeBytes + (64L << 20); // the tree and its received copy, plus slack
        List<Path> candidates = given != null ? List.of(Files.createDirectories(given))
                : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")));
        for (Path base : candidates) {
            if (Files.isDirectory(base) && Files.isWritable(base)
                    && Files.getFileStore(base).getUsableSpace() >= need) {
                return Files.createTempDirectory(base, "dwcp-demo-");
            }
        }
        throw new IllegalArgumentException("size=" + Units.bytes(treeBytes) + " reason=no-room need="
                + Units.bytes(need) + " looked-in=" + candidates + " hint=\"" + (given != null ? "" : "--dir or ") + "a smaller --size\"");
    }

    private static Path generate(Path src, long bigSize, int small) throws IOException {
        Path tree = Files.createDirectories(src.resolve("tree"));
        SplittableRandom rnd = new SplittableRandom(42);
        writeRandom(tree.resolve("big.bin"), bigSize, rnd);
        Files.createDirectories(tree.resolve("docs/日本語"));
        Files.writeString(tree.resolve("docs/readme.txt"), "DWCP demo tree\n".repeat(1000), StandardCharsets.UTF_8);
        Files.writeString(tree.resolve("docs/日本語/ファイル.txt"), "こんにちは\n", StandardCharsets.UTF_8);
        Files.createDirectories(tree.resolve("a/b/c"));
        byte[] odd = new byte[4097];
        rnd.nextBytes(odd);
        Files.write(tree.resolve("a/b/c/4097.bin"), odd);
        Files.write(tree.resolve("empty.dat"), new byte[0]);
        Files.createDirectories(tree.resolve("empty-dir"));
        Files.createSymbolicLink(tree.resolve("a/readme-link"), Path.of("../docs/readme.txt"));
        byte[] content = new byte[SMALL_SIZE];
        for (int i = 0; i < small; i++) {
            Path d = tree.resolve("small").resolve(String.format(Locale.ROOT, "d%04d", i / 100));
            if (i % 100 == 0) {
                Files.createDirectories(d);
            }
            rnd.nextBytes(content);
            Files.write(d.resolve(String.format(Locale.ROOT, "f%06d", i)), content);
        }
        return tree;
    }

    /** Writes {@code size} bytes from {@code rnd} to {@code file} (created or truncated). */
    static void writeRandom(Path file, long size, SplittableRandom rnd) throws IOException {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
                FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = arena.allocate(4 << 20).asByteBuffer();
            long left = size;
            while (left > 0) {
                buf.clear();
                while (buf.remaining() >= 8) {
                    buf.putLong(rnd.nextLong());
                }
                buf.flip();
                buf.limit((int) Math.min(buf.limit(), left));
                left -= buf.remaining();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        }
    }

    /** Overwrites {@code n} 4 KiB regions spread over the file; returns how many. */
    private int change(Path file, long size) throws IOException {
        int n = (int) Math.min(changes, Math.max(1, size / 4096));
        SplittableRandom rnd = new SplittableRandom(7);
        ByteBuffer b = ByteBuffer.allocate(4096);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (int i = 0; i < n; i++) {
                long at = (size / n) * i;
                b.clear();
                while (b.hasRemaining()) {
                    b.put((byte) rnd.nextInt());
                }
                b.flip();
                b.limit((int) Math.min(4096, size - at));
                ch.write(b, at);
            }
        }
        return n;
    }

    /** Compares two trees independently of the transfer code path; null when identical. */
    static String compare(Path a, Path b) throws IOException {
        List<Path> left = list(a);
        List<Path> right = list(b);
        if (!left.equals(right)) {
            return "DIFFERENT entries: source " + left.size() + " vs received " + right.size();
        }
        for (Path rel : left) {
            Path x = a.resolve(rel);
            Path y = b.resolve(rel);
            BasicFileAttributes ax = Files.readAttributes(x, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            BasicFileAttributes ay = Files.readAttributes(y, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (ax.isSymbolicLink() != ay.isSymbolicLink() || ax.isDirectory() != ay.isDirectory()) {
                return "DIFFERENT kind: " + rel;
            }
            if (ax.isSymbolicLink()) {
                if (!Files.readSymbolicLink(x).equals(Files.readSymbolicLink(y))) {
                    return "DIFFERENT link target: " + rel;
                }
                continue;
            }
            if (!Files.getPosixFilePermissions(x, LinkOption.NOFOLLOW_LINKS)
                    .equals(Files.getPosixFilePermissions(y, LinkOption.NOFOLLOW_LINKS))) {
                return "DIFFERENT mode: " + rel;
            }
            if (ax.lastModifiedTime().toMillis() != ay.lastModifiedTime().toMillis()) {
                return "DIFFERENT mtime: " + rel;
            }
            if (ax.isRegularFile() && (ax.size() != ay.size() || Files.mismatch(x, y) != -1)) {
                return "DIFFERENT content: " + rel;
            }
        }
        return null;
    }

    private static List<Path> list(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> l = new ArrayList<>(s.map(root::relativize).toList());
            l.sort(Comparator.naturalOrder());
            return l;
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
