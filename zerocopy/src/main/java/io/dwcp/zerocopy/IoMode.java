package io.dwcp.zerocopy;

/** How the data plane does I/O ({@code --io auto|portable}). */
public enum IoMode {
    /** Native paths where this machine has them and they work, portable elsewhere. */
    AUTO,
    /** The plain JDK everywhere (SocketChannel, FileChannel, java.nio.file). */
    PORTABLE
}
