package io.dwcp.cli;

import io.dwcp.cli.args.Command;
import io.dwcp.cli.args.CommandSpec;
import io.dwcp.cli.args.OptionSpec;
import io.dwcp.cli.args.ParsedArgs;
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

final class SendCommand implements Command {
    private static final String SYNOPSIS = "[-P N|auto] [--compress auto|lz4|off] [--delta auto|off] [--base OLD] [--inplace] [--no-fsync] [--json] [--no-progress] [--token-file FILE] "
                + "[--block-size SIZE] [--idle-timeout SECONDS] [--io auto|portable] [-c|--checksum] [-I|--ignore-times] "
                + "[-X|--xattrs] [--numeric-ids] [--delete] [-n|--dry-run] [-i|--itemize-changes] [--stats] [--safe-links] "
                + "[--exclude PATTERN]... "
                + "[--include PATTERN]... [--exclude-from FILE]... SRC... HOST[:PORT][/DEST]";
    private static final String DESCRIPTION = "Send files and directory trees to a dwcp server, keeping what rsync -aH keeps (modes, mtimes, "
                + "symlinks as they are, hard links, FIFOs, sockets; owners, by name unless --numeric-ids, and devices when "
                + "the server runs as root; extended attributes with -X). A directory is sent as a directory of the "
                + "same name; with a trailing slash (dir/) its contents are sent (so are those of '.' and '..'). A symlink is sent as the link; with "
                + "a trailing slash, what it leads to. A file whose size and mtime match at "
                + "the server is skipped without being read (its metadata is still brought up to date).";

    static final OptionSpec COMPRESS = OptionSpec.value("auto|lz4|off", "auto", "LZ4 policy: auto sends LZ4 only on blocks "
            + "where it pays, and over loopback only on the pages of changed blocks (default: ${DEFAULT-VALUE}).", "--compress");

    static final OptionSpec DELTA = OptionSpec.value("auto|off", "auto", "auto: a changed block of a file the server "
            + "already has is refined to its 4 KiB pages (one more round trip, for changed blocks only) and only the "
            + "pages that differ travel; off: changed blocks travel whole (default: ${DEFAULT-VALUE}).", "--delta");

    static final OptionSpec BASE = OptionSpec.value("OLD", null, "The server's copy of the one file sent is OLD (an "
            + "older version of it this host also has): changed blocks go as XOR deltas of the pages that differ, with "
            + "no round trip. Checked by digest first: if the server's copy is not OLD, its block digests are used "
            + "instead and a warning says so.", "--base");

    static final OptionSpec INPLACE = OptionSpec.flag("Change the server's existing copies of changed files in place, "
            + "writing only the changed bytes, under an undo log that puts the old bytes back if the transfer fails or "
            + "the server crashes (for file systems that cannot clone; readers of the file see it change while the "
            + "transfer runs, and other hard links to it change too). Files under 4 MiB and files that shrink are "
            + "sent as usual.", "--inplace");

    static final OptionSpec NO_FSYNC = OptionSpec.flag("Scratch data: the server flushes nothing to disk before files take "
            + "their names (by default each verified file's data is on disk before its rename, and the renames before "
            + "the transfer's end is confirmed).", "--no-fsync");

    static final OptionSpec BLOCK_SIZE = OptionSpec.value("SIZE", "1M", "Block size, a power of two from 4K to 16M "
            + "(default: ${DEFAULT-VALUE}).", "--block-size");

    static final OptionSpec JSON = OptionSpec.flag("Print one JSON object with the result on stdout.", "--json");

    static final OptionSpec NO_PROGRESS = OptionSpec.flag("No progress line, even on a terminal.", "--no-progress");

    static final OptionSpec TOKEN_FILE = OptionSpec.value("FILE", null, "Shared secret the server requires.", "--token-file");

    static final OptionSpec IDLE_TIMEOUT = OptionSpec.value("SECONDS", "120", "Fail when nothing moves for this long "
            + "(default: ${DEFAULT-VALUE}).", "--idle-timeout");

    static final OptionSpec IO = OptionSpec.value("auto|portable", "auto", "Data-plane I/O: auto uses sendfile and "
            + "MSG_ZEROCOPY where they work here; portable forces the plain JDK path (default: ${DEFAULT-VALUE}).", "--io");

    static final OptionSpec CHECKSUM = OptionSpec.flag("Compare files by block digests, not by size and mtime.", "-c", "--checksum");

    static final OptionSpec IGNORE_TIMES = OptionSpec.flag("Send every file, even one whose size and mtime match.", "-I", "--ignore-times");

    static final OptionSpec XATTRS = OptionSpec.flag("Keep extended attributes, as rsync -X: every namespace but "
            + "system.* (ACLs) is sent, the links' own included; a server running as root applies them all, any other "
            + "user.* only (the rest are named in a warning). On a re-sync changed attributes are set and removed ones "
            + "removed, without sending unchanged data. With --io portable only user.* is read.", "-X", "--xattrs");

    static final OptionSpec NUMERIC_IDS = OptionSpec.flag("Send owners and groups as numbers only. By default each is also "
            + "sent by name and a server running as root gives files the ids those names have there (a name it does "
            + "not know keeps the number; root is never mapped), as rsync does.", "--numeric-ids");

    static final OptionSpec DELETE = OptionSpec.flag("Remove what DEST holds that the sources lack (only below DEST; not in a "
            + "directory the sender could not read completely).", "--delete");

    static final OptionSpec DRY_RUN = OptionSpec.flag("Change nothing; with -i, list what would change.", "-n", "--dry-run");

    static final OptionSpec ITEMIZE = OptionSpec.flag("List each change as rsync does (YXcstpoguax path).", "-i", "--itemize-changes");

    static final OptionSpec STATS = OptionSpec.flag("Print counts of entries, files sent and deleted, and bytes.", "--stats");

    static final OptionSpec SAFE_LINKS = OptionSpec.flag("Leave out symlinks that could point outside the tree.", "--safe-links");

    static final OptionSpec EXCLUDE = OptionSpec.value("PATTERN", null, "Leave out matching paths (rsync rules: *, **, ?, "
            + "a leading / anchors, a trailing / matches directories only).", "--exclude");

    static final OptionSpec INCLUDE = OptionSpec.value("PATTERN", null, "Keep matching paths even when a later --exclude "
            + "matches (the first matching rule wins).", "--include");

    static final OptionSpec EXCLUDE_FROM = OptionSpec.value("FILE", null, "Read exclude patterns from FILE (one per line; "
            + "'+ ' includes, '- ' excludes, '#' and ';' start comments).", "--exclude-from");


    static final CommandSpec SPEC = CommandSpec.builder("send").synopsis(SYNOPSIS).description(DESCRIPTION)
            .options(StreamsOption.STREAMS, COMPRESS, DELTA, BASE, INPLACE, NO_FSYNC, BLOCK_SIZE, JSON, NO_PROGRESS,
                    TOKEN_FILE, IDLE_TIMEOUT, IO, CHECKSUM, IGNORE_TIMES, XATTRS, NUMERIC_IDS, DELETE, DRY_RUN, ITEMIZE,
                    STATS, SAFE_LINKS, EXCLUDE, INCLUDE, EXCLUDE_FROM)
            .operands("SRC|TARGET", 2, Integer.MAX_VALUE, "Sources, then the target HOST[:PORT][/DEST]; DEST is a "
                    + "directory below the server's root (created when missing) that receives every source.")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public int run(ParsedArgs a) throws Exception {
        int streamCount = new StreamsOption(a).count();
        String blockSize = a.value(BLOCK_SIZE);
        String delta = a.value(DELTA);
        String io = a.value(IO);
        int idleSeconds = a.intValue(IDLE_TIMEOUT);
        boolean json = a.has(JSON);
        boolean checksum = a.has(CHECKSUM);
        boolean ignoreTimes = a.has(IGNORE_TIMES);
        boolean delete = a.has(DELETE);
        boolean xattrs = a.has(XATTRS);
        boolean itemize = a.has(ITEMIZE);
        Path base = a.path(BASE);
        List<String> args = a.operands();
        long bs = Units.parseSize(blockSize);
        if (bs < Limits.MIN_BLOCK_SIZE || bs > Limits.MAX_BLOCK_SIZE || Long.bitCount(bs) != 1) {
            throw new IllegalArgumentException("block-size=" + blockSize + " reason=must-be-power-of-two-from-4K-to-16M");
        }
        CompressMode mode = CompressMode.parse(a.value(COMPRESS));
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
        byte[] token = Tokens.read(a.path(TOKEN_FILE));
        FilterRules filters = filters(a);
        SourceScanner scanner;
        SourceRoots sourceRoots = SourceRoots.select(ioMode);
        if (xattrs && !sourceRoots.nativeFiles()) {
            System.err.println("dwcp: warning: the portable I/O path reads user.* extended attributes only");
        }
        try {
            scanner = new SourceScanner(new SourceScanner.Options(limits.maxPathBytes(), filters, a.has(SAFE_LINKS), delete,
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
                | (delete ? Message.Offer.DELETE : 0) | (a.has(DRY_RUN) ? Message.Offer.DRY_RUN : 0)
                | (a.has(NO_FSYNC) ? Message.Offer.NO_FSYNC : 0) | (a.has(INPLACE) ? Message.Offer.INPLACE : 0)
                | (xattrs ? Message.Offer.XATTRS : 0) | (a.has(NUMERIC_IDS) ? Message.Offer.NUMERIC_IDS : 0);
        PrintStream out = System.out;
        java.util.function.Consumer<String> itemized = itemize && !json ? line -> {
            synchronized (out) {
                out.println(line);
            }
        } : null;
        TransferClient client = new TransferClient(new TransferClient.Options(streamCount, mode, (int) bs,
                token == null ? new byte[0] : token, limits, ioMode, flags, filters.lines(), itemized, deltas, base));
        boolean showProgress = !a.has(NO_PROGRESS) && !itemize && "1".equals(System.getenv("DWCP_STDERR_TTY"));
        TransferResult r;
        // SIGINT, SIGTERM or SIGHUP before the end: say so (the JVM would exit with 130 and nothing on stderr).
        Thread interrupted = new Thread(() -> System.err.println("dwcp: interrupted: the transfer did not finish;"
                + " files not yet verified are not in place, and the next send of them resumes what arrived"),
                "dwcp-interrupted");
        Runtime.getRuntime().addShutdownHook(interrupted);
        try {
            if (showProgress) {
                try (Progress p = new Progress(client, System.err)) {
                    r = client.send(scanner, target);
                }
            } else {
                r = client.send(scanner, target);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(interrupted);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs: the process is going
            }
        }
        for (String s : r.skipped()) {
            System.err.println("dwcp: warning: skipped " + s);
        }
        for (String w : client.warnings()) {
            System.err.println(w.contains("reason=base-mismatch") ? "dwcp: warning: " + w
                    : "dwcp: warning: server skipped " + w);
        }
        report(r, json, out, System.err, client.warnings());
        if (a.has(STATS) && !json) {
            printStats(r, out);
        }
        return r.exitCode();
    }

    /** rsync applies --include and --exclude in command-line order (the first matching rule wins): so do these. */
    private static FilterRules filters(ParsedArgs a) throws java.io.IOException {
        FilterRules.Builder b = FilterRules.builder();
        try {
            for (int i = 0; i < a.size(); i++) {
                OptionSpec o = a.optionAt(i);
                if (o == EXCLUDE) {
                    b.exclude(a.valueAt(i));
                } else if (o == INCLUDE) {
                    b.include(a.valueAt(i));
                } else if (o == EXCLUDE_FROM) {
                    java.nio.file.Path file = a.path("exclude-from", a.valueAt(i));
                    try {
                        b.excludeFrom(file);
                    } catch (java.io.IOException e) {
                        throw new IllegalArgumentException("exclude-from=\"" + file + "\" reason=" + unreadable(e));
                    }
                }
            }
        } catch (DwcpException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return b.build();
    }

    /** Why a rules file could not be read, as a reason word (the JDK's messages are often only the path). */
    private static String unreadable(java.io.IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException n -> "not-found";
            case java.nio.file.AccessDeniedException d -> "permission-denied";
            case java.nio.charset.CharacterCodingException c -> "not-utf-8";
            default -> "unreadable detail=\"" + e.getMessage() + "\"";
        };
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
