package io.dwcp.bench.e2e;

import java.nio.file.Path;
import java.util.List;

/** A tool that can run the crash-and-resume workloads: what {@link CrashResume} needs of it. */
interface Resumable extends Tool {
    /** The client command of one send: the killed send and the one run to its end are the same command. */
    List<String> sendCommand(Workload w, Source source);

    /** The receiver's in-progress files of the workload's file (dwcp: NAME.dwcp-part; rsync: its .NAME.XXXXXX). */
    List<Path> partialFiles(Workload w) throws BenchException;

    /** Untimed, after the sender was killed: until the receiving side has dealt with the lost connection. */
    void afterSenderKilled();

    /** SIGKILL the server, as a crash. */
    void killServer() throws BenchException;

    /** Start the server again on the same root, after {@link #killServer}; returns once it listens. */
    void restartServer(Workload w, String round) throws BenchException;

    /** Throws when the output of the killed send says its time is not the send's (dwcp: the launcher rebuilt the CLI). */
    default void checkInterruptedSend(Path log) throws BenchException {}

    /** One send run to its end: the tool's ordinary timed run, with its figures. */
    Measurement send(Workload w, Source source, String round) throws BenchException;
}
