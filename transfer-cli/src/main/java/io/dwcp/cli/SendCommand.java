package io.dwcp.cli;

import io.dwcp.core.message.Message;
import io.dwcp.core.manifest.FilterRules;
import io.dwcp.engine.send.SourceScanner;
import io.dwcp.engine.send.Target;
import io.dwcp.engine.send.TransferClient;
import io.dwcp.engine.send.TransferResult;
import io.dwcp.core.DwcpException;
import io.dwcp.core.Limits;
import io.dwcp.core.Log;
import io.dwcp.core.codec.CompressMode;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.SourceRoots;
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
        customSynopsis = "dwcp send [-P N|auto] [--compress auto|lz4|off] [--delta auto|off] [--base OLD] [--inplace] [--no-fsync] [--json] [--no-progress] [--token-file FILE] "
                + "[--block-size SIZE] [--idle-timeout SECONDS] [--io auto|portable] [-c|--checksum] [-I|--ignore-times] "
                + "[-X|--xattrs] [--numeric-ids] [--delete] [-n|--dry-run] [-i|--itemize-changes] [--stats] [--safe-links] "
                + "[--exclude PATTERN]... "
                + "[--include PATTERN]... [--exclude-from FILE]... SRC... HOST[:PORT][/DEST]",
        description = "Send files and directory trees to a dwcp server, keeping what rsync -aH keeps (modes, mtimes, "
                + "symlinks as they are, hard links, FIFOs; owners, by name unless --numeric-ids, and devices when "
                + "the server runs as root; extended attributes with -X). A directory is sent as a directory of the "
                + "same name; with a trailing slash (dir/) its contents are sent. A file whose size and mtime match at "
                + "the server is skipped without being read (its metadata is still brought up to date).")
final class SendCommand implements Callable<Integer> {
    @Mixin
    StreamsOption streams;

    @Option(names = "--compress", paramLabel = "auto|lz4|off", description = "LZ4 policy: auto sends LZ4 only on blocks "
            + "where it pays, and over loopback only on the pages of changed blocks (default: ${DEFAULT-VALUE}).",
            defaultValue = "auto")
    String compress;

    @Option(names = "--delta", paramLabel = "auto|off", description = "auto: a changed block of a file the server "
            + "already has is refined to its 4 KiB pages (one more round trip, for changed blocks only) and only the "
            + "pages that differ travel; off: changed blocks travel whole (default: ${DEFAULT-VALUE}).",
            defaultValue = "auto")
    String delta;

    @Option(names = "--base", paramLabel = "OLD", description = "The server's copy of the one file sent is OLD (an "
            + "older version of it this host also has): changed blocks go as XOR deltas of the pages that differ, with "
            + "no round trip. Checked by digest first: if the server's copy is not OLD, its block digests are used "
            + "instead and a warning says so.")
    Path base;

    @Option(names = "--inplace", description = "Change the server's existing copies of changed files in place, "
            + "writing only the changed bytes, under an undo log that puts the old bytes back if the transfer fails or "
            + "the server crashes (for file systems that cannot clone; readers of the file see it change while the "
            + "transfer runs, and other hard links to it change too). Files under 4 MiB and files that shrink are "
            + "sent as usual.")
    boolean inplace;

    @Option(names = "--no-fsync", description = "Scratch data: the server flushes nothing to disk before files take "
            + "their names (by default each verified file's data is on disk before its rename, and the renames before "
            + "the transfer's end is confirmed).")
    boolean noFsync;

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

    @Option(names = {"-c", "--checksum"}, description = "Compare files by block digests, not by size and mtime.")
    boolean checksum;

    @Option(names = {"-I", "--ignore-times"}, description = "Send every file, even one whose size and mtime match.")
    boolean ignoreTimes;

    @Option(names = {"-X", "--xattrs"}, description = "Keep extended attributes, as rsync -X: every namespace but "
            + "system.* (ACLs) is sent, the links' own included; a server running as root applies them all, any other "
            + "user.* only (the rest are named in a warning). On a re-sync changed attributes are set and removed ones "
            + "removed, without sending unchanged data. With --io portable only user.* is read.")
    boolean xattrs;

    @Option(names = "--numeric-ids", description = "Send owners and groups as numbers only. By default each is also "
            + "sent by name and a server running as root gives files the ids those names have there (a name it does "
            + "not know keeps the number; root is never mapped), as rsync does.")
    boolean numericIds;

    @Option(names = "--delete", description = "Remove what DEST holds that the sources lack (only below DEST; not in a "
            + "directory the sender could not read completely).")
    boolean delete;

    @Option(names = {"-n", "--dry-run"}, description = "Change nothing; with -i, list what would change.")
    boolean dryRun;

    @Option(names = {"-i", "--itemize-changes"}, description = "List each change as rsync does (YXcstpoguax path).")
    boolean itemize;

    @Option(names = "--stats", description = "Print counts of entries, files sent and deleted, and bytes.")
    boolean stats;

    @Option(names = "--safe-links", description = "Leave out symlinks that could point outside the tree.")
    boolean safeLinks;

    @Option(names = "--exclude", paramLabel = "PATTERN", description = "Leave out matching paths (rsync rules: *, **, ?, "
            + "a leading / anchors, a trailing / matches directories only).")
    List<String> excludes = new java.util.ArrayList<>();

    @Option(names = "--include", paramLabel = "PATTERN", description = "Keep matching paths even when a later --exclude "
            + "matches (the first matching rule wins).")
    List<String> includes = new java.util.ArrayList<>();

    @Option(names = "--exclude-from", paramLabel = "FILE", description = "Read exclude patterns from FILE (one per line; "
            + "'+ ' includes, '- ' excludes, '#' and ';' start comments).")
    List<Path> excludeFrom = new java.util.ArrayList<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

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
        boolean deltas = switch (delta.toLowerCase(Locale.ROOT)) {
            case "auto" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("delta=" + delta + " reason=unknown expected=auto|off");
        };
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
        FilterRules filters = filters();
        SourceScanner scanner;
        SourceRoots sourceRoots = SourceRoots.select(ioMode);
        if (xattrs && !sourceRoots.nativeFiles()) {
            System.err.println("dwcp: warning: the portable I/O path reads user.* extended attributes only");
        }
        try {
            scanner = new SourceScanner(new SourceScanner.Options(limits.maxPathBytes(), filters, safeLinks, delete,
                    sourceRoots, xattrs),
                    args.subList(0, args.size() - 1)).check();
        } catch (DwcpException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (base != null) {
            List<String> sources = args.subList(0, args.size() - 1);
            if (sources.size() != 1 || !java.nio.file.Files.isRegularFile(Path.of(sources.get(0)))) {
                throw new IllegalArgumentException("base=" + base + " reason=needs-exactly-one-file-source");
            }
            if (!java.nio.file.Files.isRegularFile(base) || !java.nio.file.Files.isReadable(base)) {
                throw new IllegalArgumentException("base=" + base + " reason=not-a-readable-file");
            }
            if (!deltas) {
                throw new IllegalArgumentException("base=" + base + " reason=conflicts-with-delta-off");
            }
        }
        int flags = (checksum ? Message.Offer.CHECKSUM : 0) | (ignoreTimes ? Message.Offer.IGNORE_TIMES : 0)
                | (delete ? Message.Offer.DELETE : 0) | (dryRun ? Message.Offer.DRY_RUN : 0)
                | (noFsync ? Message.Offer.NO_FSYNC : 0) | (inplace ? Message.Offer.INPLACE : 0)
                | (xattrs ? Message.Offer.XATTRS : 0) | (numericIds ? Message.Offer.NUMERIC_IDS : 0);
        PrintStream out = System.out;
        java.util.function.Consumer<String> itemized = itemize && !json ? line -> {
            synchronized (out) {
                out.println(line);
            }
        } : null;
        TransferClient client = new TransferClient(new TransferClient.Options(streamCount, mode, (int) bs,
                token == null ? new byte[0] : token, limits, ioMode, flags, filters.lines(), itemized, deltas, base));
        boolean showProgress = !noProgress && !itemize && "1".equals(System.getenv("DWCP_STDERR_TTY"));
        TransferResult r;
        if (showProgress) {
            try (Progress p = new Progress(client, System.err)) {
                r = client.send(scanner, target);
            }
        } else {
            r = client.send(scanner, target);
        }
        for (String s : r.skipped()) {
            System.err.println("dwcp: warning: skipped " + s);
        }
        for (String w : client.warnings()) {
            System.err.println(w.contains("reason=base-mismatch") ? "dwcp: warning: " + w
                    : "dwcp: warning: server skipped " + w);
        }
        report(r, json, out, System.err, client.warnings());
        if (stats && !json) {
            printStats(r, out);
        }
        return r.exitCode();
    }

    private FilterRules filters() throws java.io.IOException {
        FilterRules.Builder b = FilterRules.builder();
        // picocli keeps each option's values apart; rsync applies --include and --exclude in command-line order,
        // so the original arguments are replayed.
        try {
            for (String arg : spec.commandLine().getParseResult().originalArgs()) {
                ordered(arg, b);
            }
        } catch (DwcpException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return b.build();
    }

    private String pendingOption;

    /** Replays the filter options in the order given: the first matching rule wins, as in rsync. */
    private void ordered(String arg, FilterRules.Builder b) throws java.io.IOException {
        if (pendingOption != null) {
            apply(pendingOption, arg, b);
            pendingOption = null;
            return;
        }
        for (String name : List.of("--exclude", "--include", "--exclude-from")) {
            if (arg.equals(name)) {
                pendingOption = name;
                return;
            }
            if (arg.startsWith(name + "=")) {
                apply(name, arg.substring(name.length() + 1), b);
                return;
            }
        }
    }

    private static void apply(String option, String value, FilterRules.Builder b) throws java.io.IOException {
        switch (option) {
            case "--exclude" -> b.exclude(value);
            case "--include" -> b.include(value);
            default -> b.excludeFrom(Path.of(value));
        }
    }

    static void printStats(TransferResult r, PrintStream out) {
        out.printf("Number of entries: %d%nNumber of regular files: %d%nNumber of regular files transferred: %d%n"
                        + "Number of deleted entries: %d%nNumber of entries skipped: %d%nTotal file size: %d bytes%n"
                        + "Total bytes sent: %d%nFiles per second: %.0f%n",
                r.tree().entries(), r.files(), r.tree().filesSent(), r.tree().deleted(), r.tree().skipped(), r.bytes(),
                r.wireBytes(), r.seconds() > 0 ? r.files() / r.seconds() : 0);
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
        report(r, json, out, err, List.of());
    }

    /** The result, as JSON or as lines for people; {@code warnings} are the transfer's (JSON carries them). */
    static void report(TransferResult r, boolean json, PrintStream out, PrintStream err, List<String> warnings) {
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
                    .put("blocks_skipped", r.blocksUnchanged())
                    .put("blocks_refined", r.delta().blocksRefined())
                    .put("pages_sent", r.delta().pagesSent())
                    .put("delta_bytes", r.delta().deltaBytes())
                    .put("warnings", warnings)
                    .put("identical_files", r.identicalFiles())
                    .put("streams", r.streams())
                    .put("exit_code", r.exitCode())
                    .put("error", r.transportError())
                    .put("failed_files", r.failedFiles())
                    .put("skipped", r.skipped())
                    .put("entries", r.tree().entries())
                    .put("files_sent", r.tree().filesSent())
                    .put("deleted", r.tree().deleted())
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
        String what = r.exitCode() == 0 ? "sent" : r.exitCode() == TransferResult.EXIT_PARTIAL ? "PARTIAL:" : "FAILED:";
        out.printf("%s %d file%s, %s in %.2f s (%s); on the wire %s; blocks sent %d, unchanged %d; %s%n",
                what, r.files(), r.files() == 1 ? "" : "s", Units.bytes(r.bytes()),
                r.seconds(), Units.rate(rate), Units.bytes(r.wireBytes()), r.blocksSent(), r.blocksUnchanged(),
                r.verified() ? "verified" : "NOT verified");
    }
}
