package io.dwcp.zerocopy;

/** How the data plane does I/O ({@code --io auto|splice|portable}). */
public enum IoMode {
    /**
     * Native paths where this machine has them and they work, portable elsewhere. A receiver reads payloads into
     * its slabs, checks their CRC there and writes them with {@code pwrite}: two copies, as with splice, whose
     * payload must be read back from the file to be checked, but without the pipe. Measured end to end on a 4 GiB
     * file into tmpfs, 11 alternating rounds: 7.29 s against 7.83 s spliced, the same server CPU within the noise
     * of this host (an earlier, quieter run: 0.57 against 0.86 server CPU-s per GiB).
     */
    AUTO,
    /**
     * As {@link #AUTO}, and a receiver splices big RAW payloads from the socket into the part file and reads them
     * back for the check: for a file system or NIC where that pays, to be measured there.
     */
    SPLICE,
    /** The plain JDK everywhere (SocketChannel, FileChannel, java.nio.file). */
    PORTABLE
}
