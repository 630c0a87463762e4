package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.zerocopy.linux.NativeFile;
import io.dwcp.zerocopy.portable.ChannelFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Native fd files and portable channel files agree on positional I/O beyond 4 GiB, sizes and mappings. */
class DataFileTest {
    private Path dir;

    @BeforeEach
    void scratch() throws IOException {
        dir = TestFiles.scratchDir("dwcp-zc-file");
    }

    @AfterEach
    void cleanUp() throws IOException {
        TestFiles.deleteTree(dir);
    }

    private static DataFile open(IoMode mode, Path p) throws IOException {
        if (mode != IoMode.PORTABLE) {
            assumeTrue(IoPaths.select(IoMode.AUTO).confinement() != IoPaths.Confinement.PORTABLE, "no native files");
            return NativeFile.open(p, true, true);
        }
        return ChannelFile.open(p, true, true);
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void positionalIoBeyondFourGibStaysSparse(IoMode mode) throws IOException {
        Path p = dir.resolve("f");
        long far = (4L << 30) + 12345;
        try (DataFile f = open(mode, p); Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(8192);
            b.fill((byte) 0x5a);
            f.writeFully(b, 0, 8192, far);
            assertEquals(far + 8192, f.size());
            FileStat st = f.stat();
            assertTrue(st.isRegularFile());
            if (mode != IoMode.PORTABLE) {
                assertTrue(st.allocated() < 1 << 20, "a hole, not 4 GiB of zeros: " + st.allocated());
            }
            MemorySegment r = arena.allocate(8192);
            assertEquals(8192, f.read(r, 0, 8192, far));
            assertEquals(-1L, r.mismatch(b));
            assertEquals(-1, f.read(r, 0, 10, far + 8192), "end of file");
            assertEquals(0, f.read(r, 0, 10, 100) > 0 ? r.get(ValueLayout.JAVA_BYTE, 0) : -1, "holes read as zeros");
            f.truncate(far);
            assertEquals(far, f.size());
            f.truncate(far + 100);
            assertEquals(far + 100, f.size());
            f.force(true);
            f.setTimes(0, 1_600_000_000_000_000_000L);
            assertEquals(1_600_000_000_000_000_000L, f.stat().mtimeNanos());
            f.chmod(0604);
            assertEquals(0604, f.stat().permissions());
        }
    }

    /** A read-ahead hint changes nothing a reader sees, past the end too; a closed file refuses it. */
    @ParameterizedTest
    @EnumSource(IoMode.class)
    void willNeedIsOnlyAHint(IoMode mode) throws IOException {
        Path p = dir.resolve("w");
        byte[] data = new byte[3 << 20];
        new java.util.Random(9).nextBytes(data);
        Files.write(p, data);
        DataFile f = open(mode, p);
        try (Arena arena = Arena.ofConfined()) {
            f.willNeed(0, 256L << 20);
            f.willNeed(1 << 20, 1 << 20);
            f.willNeed(64L << 30, 1 << 20); // far past the end
            MemorySegment r = arena.allocate(data.length);
            assertEquals(data.length, f.readAtMost(r, 0, data.length, 0));
            assertEquals(-1L, r.mismatch(MemorySegment.ofArray(data)));
            assertEquals(data.length, f.size());
        } finally {
            f.close();
        }
        if (mode != IoMode.PORTABLE) {
            assertThrows(IOException.class, () -> f.willNeed(0, 4096), "a closed file's fd is not advised");
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void reserveAllocatesWhereTheFileSystemCan(IoMode mode) throws IOException {
        try (DataFile f = open(mode, dir.resolve("r"))) {
            boolean reserved = f.reserve(0, 4 << 20, true);
            assertEquals(mode != IoMode.PORTABLE, reserved, "tmpfs and ext4 support fallocate; the JDK has none");
            assertEquals(0, f.size(), "KEEP_SIZE");
            if (reserved) {
                assertTrue(f.stat().allocated() >= 4 << 20);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aWritableMapAtAnUnalignedOffsetExtendsTheFileAndWritesThrough(IoMode mode) throws IOException {
        Path p = dir.resolve("m");
        long off = (2L << 30) + 777;
        try (DataFile f = open(mode, p)) {
            try (MappedRegion m = f.map(off, 10_000, true)) {
                assertEquals(10_000, m.segment().byteSize());
                m.advise(MappedRegion.Advice.SEQUENTIAL);
                m.segment().fill((byte) 3);
                MemorySegment seg = m.segment();
                m.close();
                assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_BYTE, 0), "unmapped on close");
            }
            assertEquals(off + 10_000, f.size());
        }
        byte[] back = TestFiles.read(p, off - 1, 10_002);
        assertEquals(0, back[0]);
        assertEquals(3, back[1]);
        assertEquals(3, back[10_000]);
        assertEquals(0, back[10_001]);
        Files.delete(p);
    }
}
