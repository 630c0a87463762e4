package io.dwcp.engine.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.message.Message;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OutgoingFileTest {
    private static final int BLOCK = 4096;
    private static final MemorySegment INTO = Arena.ofAuto().allocate(BLOCK + 64, 64);

    private static OutgoingFile outgoing(Path file, long size, IoMode mode) {
        return new OutgoingFile(0, Entry.file("f.bin", size, 0644, 0), file, BLOCK,
                new Message.FilePlan(0, Message.FilePlan.NEW, 0, new byte[0]), IoPaths.select(mode)::openSource, true);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    /** Reads one block as a stream does (acquire, read at 64, release) and returns its bytes. */
    private static byte[] read(OutgoingFile f, int index) throws Exception {
        DataFile file = f.acquire();
        try {
            int n = f.read(file, index, INTO, 64);
            return INTO.asSlice(64, n).toArray(ValueLayout.JAVA_BYTE);
        } finally {
            f.release();
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void readsEveryBlockIncludingTheShortLastOneAndReopensAfterRetire(IoMode mode, @TempDir Path dir) throws Exception {
        byte[] data = random(2 * BLOCK + 100);
        Path file = Files.write(dir.resolve("f.bin"), data);
        OutgoingFile f = outgoing(file, data.length, mode);
        for (int i = 0; i < f.blockCount; i++) {
            byte[] want = Arrays.copyOfRange(data, i * BLOCK, Math.min(data.length, (i + 1) * BLOCK));
            assertEquals(-1, Arrays.mismatch(want, read(f, i)), "block " + i);
        }
        f.retire();
        assertEquals(100, read(f, 2).length, "a retry after retire opens the file again");
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void blocksBeyondFourGibibytesAreReadAtTheirOwnOffset(IoMode mode, @TempDir Path dir) throws Exception {
        long base = (4L << 30) + BLOCK;
        byte[] data = random(BLOCK);
        Path file = dir.resolve("sparse.bin");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(base + 2 * BLOCK);
            raf.seek(base);
            raf.write(data);
        }
        OutgoingFile f = outgoing(file, base + 2 * BLOCK, mode);
        int index = (int) (base / BLOCK);
        assertEquals(-1, Arrays.mismatch(data, read(f, index)));
        assertEquals(-1, Arrays.mismatch(new byte[BLOCK], read(f, index + 1)), "the hole after it reads as zeros");
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aFileThatShrankIsACleanErrorNamingThePath(IoMode mode, @TempDir Path dir) throws Exception {
        byte[] data = random(3 * BLOCK);
        Path file = Files.write(dir.resolve("f.bin"), data);
        OutgoingFile f = outgoing(file, data.length, mode);
        read(f, 0);
        DataFile open = f.acquire();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(BLOCK + 10);
        }
        DwcpException e = assertThrows(DwcpException.class, () -> f.read(open, 2, INTO, 0));
        f.release();
        assertTrue(e.getMessage().contains("path=\"f.bin\"") && e.getMessage().contains("source-changed-during-transfer"),
                e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aFileWhoseSizeChangedBeforeTheFirstReadIsRefused(IoMode mode, @TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("f.bin"), random(BLOCK));
        OutgoingFile f = outgoing(file, 2 * BLOCK, mode);
        DwcpException e = assertThrows(DwcpException.class, f::acquire);
        assertTrue(e.getMessage().contains("source-changed-size"), e.getMessage());
    }

    /**
     * What the walk saw as a file was replaced before it was opened: a symlink (to a secret of the same size) is not
     * followed, a FIFO is not waited on, a directory is not read. Each is refused by name, and nothing is read.
     */
    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aFileReplacedByALinkAFifoOrADirectoryBeforeItIsOpenedIsRefusedNotFollowed(IoMode mode, @TempDir Path dir)
            throws Exception {
        Path secret = Files.write(dir.resolve("secret"), random(BLOCK));
        Path file = dir.resolve("f.bin");
        String[] kinds = {"symlink", "fifo", "directory"};
        for (String kind : kinds) {
            Files.deleteIfExists(file);
            switch (kind) {
                case "symlink" -> Files.createSymbolicLink(file, secret);
                case "fifo" -> assertEquals(0, new ProcessBuilder("mkfifo", file.toString()).start().waitFor());
                default -> Files.createDirectory(file);
            }
            OutgoingFile f = outgoing(file, BLOCK, mode);
            java.util.concurrent.FutureTask<DataFile> open = new java.util.concurrent.FutureTask<>(f::acquire);
            Thread t = Thread.ofPlatform().daemon().start(open);
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> open.get(10, java.util.concurrent.TimeUnit.SECONDS), kind + ": refused, and without hanging");
            assertTrue(e.getCause() instanceof DwcpException, kind + ": " + e.getCause());
            String m = e.getCause().getMessage();
            assertTrue(m.contains("path=\"f.bin\" reason=source-changed-type now="), kind + ": " + m);
            if (mode != IoMode.PORTABLE || !kind.equals("fifo")) {
                assertTrue(m.endsWith("now=" + kind), kind + ": " + m);
            }
            t.join();
        }
    }
}
