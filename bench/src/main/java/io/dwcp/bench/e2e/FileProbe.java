package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How much of a file has landed: its allocated bytes (st_blocks x block size, from stat(1); the JDK does not expose
 * st_blocks). Unlike the apparent size, this counts blocks written out of order (parallel streams) and does not
 * jump to the full size when a receiver sizes its partial file up front (a sparse file on tmpfs).
 */
final class FileProbe {
    private FileProbe() {}

    /** The largest allocated size among the files that exist (0 when none does). */
    static long allocatedBytes(List<Path> files) throws BenchException {
        if (files.isEmpty()) {
            return 0;
        }
        List<String> cmd = new ArrayList<>(List.of("stat", "--format=%b %B", "--"));
        files.forEach(f -> cmd.add(f.toString()));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BenchException("stat did not answer within 10 s");
            }
            return parse(out); // a missing file makes stat exit 1 after printing the others
        } catch (IOException e) {
            throw new BenchException("cannot run stat: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
    }

    /** The largest "BLOCKS BLOCKSIZE" product among the lines of stat's output. */
    static long parse(String statOutput) {
        long max = 0;
        for (String line : statOutput.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].matches("\\d+") && f[1].matches("\\d+")) {
                max = Math.max(max, Long.parseLong(f[0]) * Long.parseLong(f[1]));
            }
        }
        return max;
    }
}
