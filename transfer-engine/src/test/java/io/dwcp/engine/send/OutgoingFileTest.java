package io.dwcp.engine.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.message.Message;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutgoingFileTest {
    private static final int BLOCK = 4096;

    private static OutgoingFile outgoing(Path file, long size) {
        return new OutgoingFile(0, Entry.file("f.bin", size, 0644, 0), file, BLOCK,
                new Message.FilePlan(0, Message.FilePlan.NEW, 0, new byte[0]));
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    @Test
    void readsEveryBlockIncludingTheShortLastOneAndReopensAfterRetire(@TempDir Path dir) throws Exception {
        byte[] data = random(2 * BLOCK + 100);
        Path file = Files.write(dir.resolve("f.bin"), data);
        OutgoingFile f = outgoing(file, data.length);
        ByteBuffer into = ByteBuffer.allocateDirect(BLOCK);
        for (int i = 0; i < f.blockCount; i++) {
            ByteBuffer b = f.read(i, into);
            byte[] got = new byte[b.remaining()];
            b.get(got);
            byte[] want = java.util.Arrays.copyOfRange(data, i * BLOCK, Math.min(data.length, (i + 1) * BLOCK));
            assertEquals(-1, java.util.Arrays.mismatch(want, got), "block " + i);
        }
        f.retire();
        assertEquals(100, f.read(2, into).remaining(), "a retry after retire opens the file again");
    }

    @Test
    void aFileThatShrankIsACleanErrorNamingThePath(@TempDir Path dir) throws Exception {
        byte[] data = random(3 * BLOCK);
        Path file = Files.write(dir.resolve("f.bin"), data);
        OutgoingFile f = outgoing(file, data.length);
        ByteBuffer into = ByteBuffer.allocateDirect(BLOCK);
        f.read(0, into);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(BLOCK + 10);
        }
        DwcpException e = assertThrows(DwcpException.class, () -> f.read(2, into));
        assertTrue(e.getMessage().contains("path=\"f.bin\"") && e.getMessage().contains("source-changed-during-transfer"),
                e.getMessage());
    }

    @Test
    void aFileWhoseSizeChangedBeforeTheFirstReadIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("f.bin"), random(BLOCK));
        OutgoingFile f = outgoing(file, 2 * BLOCK);
        DwcpException e = assertThrows(DwcpException.class, () -> f.read(0, ByteBuffer.allocateDirect(BLOCK)));
        assertTrue(e.getMessage().contains("source-changed-size"), e.getMessage());
    }
}
