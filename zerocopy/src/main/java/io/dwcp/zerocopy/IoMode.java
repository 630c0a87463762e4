package io.dwcp.zerocopy;

/** How the data plane does I/O ({@code --io auto|splice|portable}). */
public enum IoMode {
    /**
     * Native paths where this machine has them and they work, portable elsewhere. A receiver reads payloads into
     * its slabs and writes them with {@code pwrite}: the CRC is then checked on bytes already in the cache, where a
     * spliced payload must be read back from the file to be checked (measured on a 4 GiB file, tmpfs: 0.57
     * CPU-s per GiB at the server against 0.86 spliced).
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
