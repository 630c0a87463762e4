package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.zerocopy.linux.NativeFile;
import io.dwcp.zerocopy.linux.NativeSockets;
import io.dwcp.zerocopy.portable.ChannelFile;
import io.dwcp.zerocopy.portable.PortableSockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every send path and every receive path give the same bytes, including ranges that cross the 2 GiB and 4 GiB
 * marks of a sparse 5 GiB file (offsets that overflow an int or a u32 would land elsewhere).
 */
class FileTransferEquivalenceTest {
    private static final long SIZE = 5L << 30;
    private static final long TWO_GIB = 2L << 30;
    private static final long FOUR_GIB = 4L << 30;
    /** {start, length}: across 2 GiB, across 4 GiB, the head, the tail. */
    private static final long[][] RANGES = {
        {TWO_GIB - 100_000, 300_001}, {FOUR_GIB - 150_000, 1_300_000}, {0, 700_000}, {SIZE - 70_000, 70_000}};
    private static final long[][] WRITTEN = {
        {TWO_GIB - 131_072, 262_144}, {FOUR_GIB - 262_144, 2_000_000}, {0, 1 << 20}, {SIZE - 100_000, 100_000}};

    private static Path dir;
    private static Path source;

    enum Sender { SENDFILE, NATIVE_COPY, PORTABLE_TRANSFER_TO }

    enum Receiver { SPLICE, NATIVE_COPY, PORTABLE_COPY, MAPPED_NATIVE, MAPPED_JDK }

    @BeforeAll
    static void sparseSource() throws IOException {
        dir = TestFiles.scratchDir("dwcp-zc-eq");
        source = dir.resolve("source");
        TestFiles.sparse(source, SIZE, WRITTEN, 42);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        TestFiles.deleteTree(dir);
    }

    @ParameterizedTest
    @EnumSource(Sender.class)
    void everySenderMatchesEveryReceiver(Sender sender) throws Exception {
        for (Receiver receiver : Receiver.values()) {
            transfer(sender, receiver);
        }
    }

    private void transfer(Sender sender, Receiver receiver) throws Exception {
        boolean nativeSend = sender != Sender.PORTABLE_TRANSFER_TO;
        boolean nativeReceive = receiver != Receiver.PORTABLE_COPY;
        assumeTrue(!(nativeSend || nativeReceive) || IoPaths.select(IoMode.AUTO).nativeSockets(), "no native sockets");
        Path target = dir.resolve("target-" + sender + "-" + receiver);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        DataListener listener = nativeReceive ? new NativeSockets(true, receiver == Receiver.SPLICE).listen(any, 1)
                : new PortableSockets().listen(any, 1);
        try (listener;
                DataSocket out = nativeSend ? new NativeSockets(sender == Sender.SENDFILE, true).connect(listener.localAddress(), 5000)
                        : new PortableSockets().connect(listener.localAddress(), 5000);
                DataSocket in = listener.accept();
                DataFile src = nativeSend ? NativeFile.open(source, false, false) : ChannelFile.open(source, false, false);
                DataFile dst = nativeReceive && receiver != Receiver.MAPPED_JDK ? NativeFile.open(target, true, true)
                        : ChannelFile.open(target, true, true);
                Arena arena = Arena.ofConfined()) {
            dst.truncate(SIZE);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment header = a.allocate(16);
                    for (long[] r : RANGES) {
                        header.set(ValueLayout.JAVA_LONG, 0, r[0]);
                        header.set(ValueLayout.JAVA_LONG, 8, r[1]);
                        out.writeHeaderAndFile(header, 16, src, r[0], r[1]);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            MemorySegment header = arena.allocate(16);
            for (long[] r : RANGES) {
                in.readFully(header, 0, 16);
                assertEquals(r[0], header.get(ValueLayout.JAVA_LONG, 0));
                receive(receiver, in, dst, target, r[0], r[1]);
            }
            sending.get(30, TimeUnit.SECONDS);
        }
        for (long[] r : RANGES) {
            assertArrayEquals(TestFiles.read(source, r[0], (int) r[1]), TestFiles.read(target, r[0], (int) r[1]),
                    sender + " -> " + receiver + " at " + r[0]);
        }
        java.nio.file.Files.delete(target);
    }

    private static void receive(Receiver receiver, DataSocket in, DataFile dst, Path target, long off, long len)
            throws IOException {
        switch (receiver) {
            case SPLICE, NATIVE_COPY, PORTABLE_COPY -> in.receiveToFile(dst, off, len);
            case MAPPED_NATIVE -> {
                try (MappedRegion m = dst.map(off, len, true)) {
                    m.advise(MappedRegion.Advice.SEQUENTIAL);
                    in.readFully(m.segment(), 0, len);
                }
            }
            case MAPPED_JDK -> {
                try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE);
                        Arena a = Arena.ofConfined()) {
                    in.readFully(ch.map(FileChannel.MapMode.READ_WRITE, off, len, a), 0, len);
                }
            }
        }
    }
}
