package io.dwcp.bench.e2e;

import java.nio.file.Path;

/**
 * One tool under comparison. The harness calls begin() once per workload (servers start there), run() once per
 * round, end() after the workload; the destination directory is emptied by the harness between runs except for
 * resends (and in the delta workloads then given the file's old version, see {@link FilePair#restoreOld}).
 */
interface Tool {
    String name();

    boolean supports(Workload w);

    /** Start what the workload needs (a server). A failure here fails every run of this tool in the workload. */
    default void begin(Workload w) throws BenchException {}

    /** One run: source to {@link #output}, timed and measured. Throws when the tool reports a failure. */
    Measurement run(Workload w, Source source, String round) throws BenchException;

    /** Called after the untimed priming send of a resend workload, so that memory peaks are the resend's own. */
    default void primed() throws BenchException {}

    default void end() {}

    Path destDir();

    default Path output(Workload w) {
        return destDir().resolve(w.sourceName());
    }

    /** False for dd, which writes zeros: only the size of its output can be checked. */
    default boolean copiesContent() {
        return true;
    }

    /** Bytes the output may lack at its end (a prefix of the source is then still a correct result). */
    default long allowedShortfall() {
        return 0;
    }

    /** The commands this tool runs, for the report. */
    String commands(Workload w);

    /** A one-line version, or "n/a". */
    String version();
}
