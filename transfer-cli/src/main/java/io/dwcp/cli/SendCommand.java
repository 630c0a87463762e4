package io.dwcp.cli;

import io.dwcp.engine.send.Manifest;
import io.dwcp.engine.send.SourceScanner;
import io.dwcp.engine.send.Target;
import io.dwcp.engine.send.TransferClient;
import io.dwcp.engine.send.TransferResult;
import io.dwcp.core.DwcpException;
import io.dwcp.core.Limits;
import io.dwcp.core.Log;
import io.dwcp.core.codec.CompressMode;
import io.dwcp.zerocopy.IoMode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "send", mixinStandardHelpOptions = true,
        customSynopsis = "dwcp send [-P N|auto] [--compress auto|lz4|off] [--json] [--no-progress] [--token-file FILE] "
                + "[--block-size SIZE] [--idle-timeout SECONDS] [--io auto|portable] SRC... HOST[:PORT][/DEST]",
        description = "Send files and directory trees to a dwcp server. A directory is sent as a directory of the same "
                + "name; with a trailing slash (dir/) its contents are sent.")
final class SendCommand implements Callable<Integer> {
    @Mixin
    StreamsOption streams;

    @Option(names = "--compress", paramLabel = "auto|lz4|off", description = "LZ4 policy: auto sends LZ4 only on blocks "
            + "where it pays (default: ${DEFAULT-VALUE}).", defaultValue = "auto")
    String compress;

    @Option(names = "--block-size", paramLabel = "SIZE", description = "Block size, a power of two from 4K to 16M "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "1M")
    String blockSize;

    @Option(names = "--json", description = "Print one JSON object with the result on stdout.")
    boolean json;

    @Option(names = "--no-progress", description = "No progress line, even on a terminal.")
    boolean noProgress;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Shared secret the server requires.")
    Path tokenFile;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "Fail when nothing moves for this long "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "120")
    int idleSeconds;

    @Option(names = "--io", paramLabel = "auto|portable", description = "Data-plane I/O: auto uses sendfile and "
            + "MSG_ZEROCOPY where they work here; portable forces the plain JDK path (default: ${DEFAULT-VALUE}).",
            defaultValue = "auto")
    String io;

    @Parameters(arity = "2..*", paramLabel = "SRC|TARGET", description = "Sources, then the target HOST[:PORT][/DEST]; "
            + "DEST is a directory below the server's root (created when missing) that receives every source.")
    List<String> args;

    @Override
    public Integer call() throws Exception {
        int streamCount = streams.count();
        long bs = Units.parseSize(blockSize);
        if (bs < Limits.MIN_BLOCK_SIZE || bs > Limits.MAX_BLOCK_SIZE || Long.bitCount(bs) != 1) {
            throw new IllegalArgumentException("block-size=" + blockSize + " reason=must-be-power-of-two-from-4K-to-16M");
        }
        CompressMode mode = CompressMode.parse(compress);
        IoMode ioMode = switch (io.toLowerCase(Locale.ROOT)) {
            case "auto" -> IoMode.AUTO;
            case "portable" -> IoMode.PORTABLE;
            default -> throw new IllegalArgumentException("io=" + io + " reason=unknown expected=auto|portable");
        };
        if (idleSeconds < 1) {
            throw new IllegalArgumentException("idle-timeout=" + idleSeconds + " reason=must-be-positive");
        }
        Limits limits = Limits.defaults().withIdleTimeoutMillis(idleSeconds * 1000);
        Target target;
        try {
            target = Target.parse(args.get(args.size() - 1), limits.maxPathBytes());
        } catch (DwcpException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (json) {
            Log.setInfo(false);
        }
        byte[] token = Tokens.read(tokenFile);
        Manifest manifest;
        try {
            manifest = new SourceScanner(limits.maxPathBytes()).scan(args.subList(0, args.size() - 1));
        } catch (DwcpException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        for (String s : manifest.skipped()) {
            System.err.println("dwcp: warning: skipped " + s);
        }
        TransferClient client = new TransferClient(new TransferClient.Options(streamCount, mode, (int) bs,
                token == null ? new byte[0] : token, limits, ioMode));
        boolean showProgress = !noProgress && "1".equals(System.getenv("DWCP_STDERR_TTY"));
        TransferResult r;
        if (showProgress) {
            try (Progress p = new Progress(client, System.err)) {
                r = client.send(manifest, target);
            }
        } else {
            r = client.send(manifest, target);
        }
        report(r, json, System.out, System.err);
        return r.exitCode();
    }

    /** {@code sendfile+splice+msg_zerocopy} or {@code portable} from the full describe() line. */
    static String shortIoPath(String describe) {
        for (String part : describe.split(" ")) {
            if (part.startsWith("io_path=")) {
                return part.substring("io_path=".length());
            }
        }
        return describe;
    }

    static void report(TransferResult r, boolean json, PrintStream out, PrintStream err) {
        double rate = r.exitCode() == 0 && r.seconds() > 0 ? r.bytes() / r.seconds() : 0;
        if (json) {
            out.println(new Json()
                    .put("files", r.files())
                    .put("bytes", r.bytes())
                    .put("wire_bytes", r.wireBytes())
                    .put("seconds", r.seconds())
                    .put("verified", r.verified())
                    .put("rate_bytes_per_second", Math.round(rate))
                    .put("blocks_sent", r.blocksSent())
                    .put("blocks_unchanged", r.blocksUnchanged())
                    .put("identical_files", r.identicalFiles())
                    .put("streams", r.streams())
                    .put("exit_code", r.exitCode())
                    .put("error", r.transportError())
                    .put("failed_files", r.failedFiles())
                    .put("skipped", r.skipped())
                    .put("io_path", shortIoPath(r.ioPath()))
                    .put("zerocopy_sends", r.zeroCopy().zerocopySends())
                    .put("zerocopy_copied", r.zeroCopy().copied())
                    .put("zerocopy_switched_to_copy", r.zeroCopy().switchedToCopy()));
            return;
        }
        if (r.transportError() != null) {
            err.println("dwcp: transfer failed: " + r.transportError());
        }
        for (String f : r.failedFiles()) {
            err.println("dwcp: file failed: " + f);
        }
        out.printf("%s %d file%s, %s in %.2f s (%s); on the wire %s; blocks sent %d, unchanged %d; %s%n",
                r.exitCode() == 0 ? "sent" : "FAILED:", r.files(), r.files() == 1 ? "" : "s", Units.bytes(r.bytes()),
                r.seconds(), Units.rate(rate), Units.bytes(r.wireBytes()), r.blocksSent(), r.blocksUnchanged(),
                r.verified() ? "verified" : "NOT verified");
    }
}
