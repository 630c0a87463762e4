package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Checks a destination against its source after every run: a wrong copy is a failed run, never a timing.
 * Files: the size, then 64 KiB at the start, the end and 62 seeded offsets (cheap, and enough to catch a
 * truncated, shifted or unwritten file); for the delta and resume workloads every byte (a few wrong pages is the
 * failure to catch there). Trees: {@code diff -r --no-dereference} (content, names, links). For the
 * generated tree, symlinks are left to the fidelity check (as are hard links, modes and times, which diff does not
 * see): a copy that drops or rewrites them is reported there with its timings, not discarded as a failed run.
 */
final class Verifier {
    static final int SAMPLE = 64 << 10;
    static final int SAMPLES = 64;
    static final int FULL_CHUNK = 1 << 20;

    private Verifier() {}

    static void check(Source source, Path output, boolean content, int timeoutSeconds) throws BenchException {
        check(source, output, content, 0, timeoutSeconds);
    }

    static void check(Source source, Path output, boolean content, long shortfall, int timeoutSeconds) throws BenchException {
        check(source, output, content, shortfall, false, timeoutSeconds);
    }

    /**
     * shortfall: how many bytes a file output may lack at its end (iperf3's server); the rest must match.
     * symlinksAside: differences in symlinks do not fail the check (the generated tree's fidelity check reports them).
     */
    static void check(Source source, Path output, boolean content, long shortfall, boolean symlinksAside, int timeoutSeconds)
            throws BenchException {
        check(source, output, content, shortfall, symlinksAside, false, timeoutSeconds);
    }

    /** everyByte: a file output is compared with its source in full, not sampled (the delta and resume workloads). */
    static void check(Source source, Path output, boolean content, long shortfall, boolean symlinksAside, boolean everyByte,
                      int timeoutSeconds) throws BenchException {
        if (!Files.exists(output)) {
            throw new BenchException("wrong result: " + output.getFileName() + " missing at the destination");
        }
        try {
            if (Files.isRegularFile(source.path())) {
                checkFile(source.path(), output, content, shortfall, everyByte);
            } else {
                checkTree(source.path(), output, symlinksAside, timeoutSeconds);
            }
        } catch (IOException e) {
            throw new BenchException("wrong result: cannot read the destination: " + e.getMessage(), e);
        }
    }

    private static void checkFile(Path src, Path dst, boolean content, long shortfall, boolean everyByte)
            throws IOException, BenchException {
        long got = Files.size(dst);
        long full = Files.size(src);
        if (got > full || got < full - shortfall) {
            throw new BenchException(Fmt.s("wrong result: destination has %d bytes, source %d%s", got, full,
                    shortfall > 0 ? Fmt.s(" (%d may be missing at the end)", shortfall) : ""));
        }
        long size = got; // compare the part that was written
        if (!content) {
            return;
        }
        if (everyByte) {
            compareAll(src, dst, size);
            return;
        }
        try (FileChannel a = FileChannel.open(src); FileChannel b = FileChannel.open(dst)) {
            SplittableRandom r = new SplittableRandom(size);
            int sample = (int) Math.min(SAMPLE, size);
            ByteBuffer x = ByteBuffer.allocate(sample);
            ByteBuffer y = ByteBuffer.allocate(sample);
            for (int i = 0; i < SAMPLES; i++) {
                long at = i == 0 || size <= sample ? 0 : i == 1 ? size - sample : r.nextLong(size - sample);
                read(a, x.clear(), at);
                read(b, y.clear(), at);
                int m = x.mismatch(y);
                if (m >= 0) {
                    throw new BenchException(Fmt.s("wrong result: destination differs from the source at byte %d", at + m));
                }
            }
        }
    }

    /** Every byte, 1 MiB at a time; the first difference is reported with its offset. */
    private static void compareAll(Path src, Path dst, long size) throws IOException, BenchException {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
             FileChannel a = FileChannel.open(src); FileChannel b = FileChannel.open(dst)) {
            ByteBuffer x = arena.allocate(FULL_CHUNK).asByteBuffer();
            ByteBuffer y = arena.allocate(FULL_CHUNK).asByteBuffer();
            for (long at = 0; at < size; at += FULL_CHUNK) {
                int n = (int) Math.min(FULL_CHUNK, size - at);
                read(a, x.clear().limit(n), at);
                read(b, y.clear().limit(n), at);
                int m = x.mismatch(y);
                if (m >= 0) {
                    throw new BenchException(Fmt.s("wrong result: destination differs from the source at byte %d (compared in full)",
                            at + m));
                }
            }
        }
    }

    private static void checkTreeButSymlinks(Path src, Path dst, int timeoutSeconds) throws BenchException {
        // diff exits 1 when it finds differences, which are sorted out here; 2 means it could not compare.
        String out = Processes.output(List.of("bash", "-c", "diff -r -q --no-dereference \"$1\" \"$2\"; [ $? -le 1 ]", "diff",
                src.toString(), dst.toString()), null, timeoutSeconds);
        if (out == null) {
            throw new BenchException("wrong result: diff -r could not compare the destination tree with the source");
        }
        List<String> wrong = out.lines().filter(l -> !l.isBlank() && !aboutSymlink(l, src)).toList();
        if (!wrong.isEmpty()) {
            throw new BenchException("wrong result: destination tree differs from the source (diff -r, symlinks aside): "
                    + ProcParsers.abbreviate(String.join(" ", wrong.subList(0, Math.min(3, wrong.size())))
                            .replace(src.toString(), "SRC").replace(dst.toString(), "DST")));
        }
    }

    /** GNU diff's lines about a symlink: differing targets, a link against a file, or a source link missing. */
    static boolean aboutSymlink(String line, Path src) {
        if (line.startsWith("Symbolic links ") || line.contains(" is a symbolic link while ")) {
            return true;
        }
        String prefix = "Only in " + src;
        int colon = line.indexOf(": ", prefix.length());
        if (line.startsWith(prefix) && colon >= 0 && (line.charAt(prefix.length()) == ':' || line.charAt(prefix.length()) == '/')) {
            Path dir = Path.of(line.substring("Only in ".length(), colon));
            return Files.isSymbolicLink(dir.resolve(line.substring(colon + 2)));
        }
        return false;
    }

    /** Reads from at into buf up to its limit (or the end of the file), then flips it. */
    private static void read(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) {
                break;
            }
        }
        buf.flip();
    }

    private static void checkTree(Path src, Path dst, boolean symlinksAside, int timeoutSeconds) throws BenchException {
        if (symlinksAside) {
            checkTreeButSymlinks(src, dst, timeoutSeconds);
            return;
        }
        String out = Processes.output(List.of("diff", "-r", "-q", "--no-dereference", src.toString(), dst.toString()), null, timeoutSeconds);
        if (out == null) {
            String detail = Processes.output(List.of("bash", "-c", "diff -r -q --no-dereference \"$1\" \"$2\" | head -n 3", "diff",
                    src.toString(), dst.toString()), null, timeoutSeconds);
            throw new BenchException("wrong result: destination tree differs from the source (diff -r): "
                    + ProcParsers.abbreviate(detail == null ? "" : detail.replace(src.toString(), "SRC").replace(dst.toString(), "DST")));
        }
    }
}
