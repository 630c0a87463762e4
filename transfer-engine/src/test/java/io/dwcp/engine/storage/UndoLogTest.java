package io.dwcp.engine.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

class UndoLogTest {
    @TempDir
    Path dir;
    private StorageRoot root;

    @AfterEach
    void close() throws Exception {
        if (root != null) {
            root.close();
        }
    }

    private StorageRoot root(IoMode mode) throws Exception {
        if (root == null) {
            root = StorageRoot.open(IoPaths.select(mode), dir, 4096);
        }
        return root;
    }

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes new bytes over {@code old} through the log: ranges inside, across the end and beyond it. */
    private static void writeThrough(UndoLog undo, int oldLength) throws Exception {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(70_000);
            src.copyFrom(MemorySegment.ofArray(random(9, 70_000)));
            undo.write(src, 0, 4096, 8192);
            undo.write(src, 100, 5000, 8192 + 2048); // overlaps the first: replayed newest first
            undo.write(src, 0, 65_536, oldLength - 1000L); // crosses the old end: grows the file
            undo.write(src, 7, 1, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(value = IoMode.class, names = {"AUTO", "PORTABLE"})
    void rollbackPutsEveryOldByteBackAndTheOldSizeAndMtime(IoMode mode) throws Exception {
        StorageRoot r = root(mode);
        byte[] old = random(1, 100_000);
        Path f = Files.write(dir.resolve("f"), old);
        Files.setLastModifiedTime(f, FileTime.fromMillis(1_600_000_000_000L));
        long mtime = Files.getLastModifiedTime(f).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        DataFile target = r.openPart("f", 0644, "f");
        UndoLog undo = UndoLog.begin(r.createExclusive("f.dwcp-part", 0600, "f"), target, old.length, mtime, 1 << 20, true);
        writeThrough(undo, old.length);
        undo.flushPending(); // a durable log holds new bytes back until its next flush
        assertFalse(java.util.Arrays.equals(old, Files.readAllBytes(f)));
        undo.rollback();
        target.close();
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(1_600_000_000_000L, Files.getLastModifiedTime(f).toMillis());
    }

    @Test
    void aCrashedTransferIsRolledBackFromTheLogItLeftEvenWithATornLastRecord() throws Exception {
        StorageRoot r = root(IoMode.AUTO);
        byte[] old = random(2, 50_000);
        Path f = Files.write(dir.resolve("g"), old);
        DataFile target = r.openPart("g", 0644, "g");
        UndoLog undo = UndoLog.begin(r.createExclusive("g.dwcp-part", 0600, "g"), target, old.length, 0, 1 << 20, false);
        writeThrough(undo, old.length);
        undo.close(); // the process "dies": neither commit nor rollback
        target.close();
        long logSize = Files.size(dir.resolve("g.dwcp-part"));
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve("g.dwcp-part"), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}),
                    logSize); // a torn record after the last whole one
        }
        try (DataFile log = r.openRead("g.dwcp-part", "g"); DataFile t = r.openPart("g", 0644, "g")) {
            assertTrue(UndoLog.recover(log, t));
        }
        assertArrayEquals(old, Files.readAllBytes(f));
    }

    @Test
    void aDurableLogHoldsNewBytesBackUntilOneFlushAndRollbackDropsThem() throws Exception {
        StorageRoot r = root(IoMode.AUTO);
        byte[] old = random(5, 100_000);
        Path f = Files.write(dir.resolve("k"), old);
        DataFile target = r.openPart("k", 0644, "k");
        UndoLog undo = UndoLog.begin(r.createExclusive("k.dwcp-part", 0600, "k"), target, old.length, 0, 1 << 20, true);
        writeThrough(undo, old.length);
        assertArrayEquals(old, Files.readAllBytes(f), "nothing is written before the log is flushed");
        undo.rollback();
        target.close();
        assertArrayEquals(old, Files.readAllBytes(f));
    }

    @Test
    void commitKeepsTheNewBytesAndAnOrdinaryPartFileIsNotALog() throws Exception {
        StorageRoot r = root(IoMode.AUTO);
        byte[] old = random(3, 30_000);
        Path f = Files.write(dir.resolve("h"), old);
        DataFile target = r.openPart("h", 0644, "h");
        UndoLog undo = UndoLog.begin(r.createExclusive("h.dwcp-part", 0600, "h"), target, old.length, 0, 1 << 20, false);
        writeThrough(undo, old.length);
        byte[] now = Files.readAllBytes(f);
        undo.commit();
        target.close();
        assertArrayEquals(now, Files.readAllBytes(f));
        Files.write(dir.resolve("p.dwcp-part"), random(4, 5000));
        try (DataFile log = r.openRead("p.dwcp-part", "p"); DataFile t = r.openPart("h", 0644, "h")) {
            assertFalse(UndoLog.recover(log, t));
        }
        assertArrayEquals(now, Files.readAllBytes(f));
    }
}
