package io.dwcp.engine.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.core.digest.PageDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.manifest.Entry;
import io.dwcp.testsupport.XfsLoopImage;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A changed file over a basis on a file system that shares extents: its part file is cloned from the basis when the
 * file is planned, and the plan's digests, the page digests and the unchanged bytes all come from that clone. So a
 * basis changed at the final name after the plan cannot leak into the new file, whose whole-file digest is composed
 * from the plan's digests for the blocks that did not travel. A small XFS ({@code reflink=1}) is made in a loop image;
 * that needs root and {@code mkfs.xfs}, and each missing piece skips with its reason.
 */
class ClonedBasisTest {
    private static final int BS = 1 << 20;
    private static XfsLoopImage xfs;
    private static Path mnt;

    private StorageRoot root;

    @BeforeAll
    static void mountXfs() throws Exception {
        assumeTrue(IoPaths.select(IoMode.AUTO).confinement() != IoPaths.Confinement.PORTABLE, "no native files");
        xfs = XfsLoopImage.mount("dwcp-cloned-basis");
        mnt = xfs.directory();
    }

    @AfterAll
    static void unmount() throws Exception {
        if (xfs != null) {
            xfs.close();
        }
    }

    @AfterEach
    void closeRoot() throws Exception {
        if (root != null) {
            root.close();
        }
    }

    private StorageRoot root(Path dir) throws IOException {
        root = StorageRoot.open(IoPaths.select(IoMode.AUTO), dir, 4096);
        return root;
    }

    private static byte[] fileDigest(byte[] data) {
        return StorageTestData.fileDigest(data, BS);
    }

    /** The plan of {@code name} as the planner makes it: the clone first, the basis digested from it. */
    private IncomingFile planned(String name, byte[] now, long basisSize) throws Exception {
        DataFile clone = IncomingFile.cloneBasisAhead(root, name, name, basisSize);
        assertNotNull(clone, "a basis on XFS is cloned when its file is planned");
        byte[] digests = BasisDigests.digest(clone, name, basisSize, BS, ByteBuffer.allocateDirect(BS), () -> { });
        IncomingFile f = new IncomingFile(0, Entry.file(name, now.length, 0644, 0), root, name, BS, digests, basisSize);
        f.adoptClonedPart(clone);
        return f;
    }

    private static void deliver(IncomingFile f, byte[] data, int block) throws Exception {
        int length = FileBlocks.blockLength(data.length, BS, block);
        ByteBuffer direct = ByteBuffer.allocateDirect(length).put(data, block * BS, length).flip();
        f.accept((long) block * BS, MemorySegment.ofBuffer(direct), length, false);
    }

    @Test
    void aBasisChangedAfterThePlanDoesNotLeakIntoTheNewFile() throws Exception {
        Path dir = Files.createDirectories(mnt.resolve("leak"));
        byte[] old = StorageTestData.random(8 * BS + 300, 1);
        byte[] now = old.clone();
        now[2 * BS + 7] ^= 0x5a; // block 2 changes; every other block is unchanged and does not travel
        Files.write(dir.resolve("f.bin"), old);
        root(dir);
        IncomingFile f = planned("f.bin", now, old.length);
        assertTrue(Files.exists(dir.resolve(f.partPath())), "the part file exists from the plan on");

        // Someone writes into the basis under the final name after the plan, in a block that will not travel.
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("f.bin").toFile(), "rw")) {
            raf.seek(5L * BS + 11);
            raf.write(new byte[] {1, 2, 3, 4});
        }
        deliver(f, now, 2);
        assertTrue(f.expect(1, fileDigest(now)));
        assertTrue(f.finish());
        assertArrayEquals(now, Files.readAllBytes(dir.resolve("f.bin")),
                "the unchanged blocks are the ones the plan digested, not what the final name held later");
        assertFalse(Files.exists(dir.resolve(f.partPath())));
    }

    @Test
    void pageDigestsComeFromTheClone() throws Exception {
        Path dir = Files.createDirectories(mnt.resolve("pages"));
        byte[] old = StorageTestData.random(6 * BS, 2);
        Files.write(dir.resolve("p.bin"), old);
        root(dir);
        IncomingFile f = planned("p.bin", old, old.length);
        Files.write(dir.resolve("p.bin"), StorageTestData.random(6 * BS, 3)); // the final name now holds other bytes
        byte[] pages;
        try (Arena arena = Arena.ofConfined()) {
            pages = f.pageDigests(new int[] {1, 4}, arena.allocate(BS, 4096));
        }
        byte[] want = new byte[2 * PageDigests.length(BS)];
        byte[] scratch = new byte[16];
        PageDigests.digest(MemorySegment.ofArray(old), BS, BS, want, 0, scratch);
        PageDigests.digest(MemorySegment.ofArray(old), 4L * BS, BS, want, PageDigests.length(BS), scratch);
        assertArrayEquals(want, pages, "a REFINE is answered from the basis the plan digested");
        f.fail();
        assertFalse(Files.exists(dir.resolve(f.partPath())), "a failed file's clone is removed");
    }

    @Test
    void anIdenticalFileLeavesNoCloneBehind() throws Exception {
        Path dir = Files.createDirectories(mnt.resolve("same"));
        byte[] data = StorageTestData.random(5 * BS + 1, 4);
        Files.write(dir.resolve("s.bin"), data);
        root(dir);
        IncomingFile f = planned("s.bin", data, data.length);
        assertTrue(f.expect(0, fileDigest(data)));
        assertTrue(f.finish());
        assertTrue(f.identical());
        assertFalse(Files.exists(dir.resolve(f.partPath())), "the clone of an unchanged file is removed");
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("s.bin")));
    }

    @Test
    void aShorterNewVersionIsCutFromTheClone() throws Exception {
        Path dir = Files.createDirectories(mnt.resolve("short"));
        byte[] old = StorageTestData.random(7 * BS, 5);
        byte[] now = Arrays.copyOf(old, 5 * BS + 99);
        now[5 * BS] ^= 1; // the short last block changes
        Files.write(dir.resolve("c.bin"), old);
        root(dir);
        IncomingFile f = planned("c.bin", now, old.length);
        deliver(f, now, 5);
        assertTrue(f.expect(1, fileDigest(now)));
        assertTrue(f.finish());
        assertArrayEquals(now, Files.readAllBytes(dir.resolve("c.bin")));
    }

    @Test
    void aSmallBasisOrOneOnTmpfsIsNotClonedAhead() throws Exception {
        Path dir = Files.createDirectories(mnt.resolve("small"));
        Files.write(dir.resolve("tiny.bin"), StorageTestData.random(BS, 6));
        root(dir);
        assertNull(IncomingFile.cloneBasisAhead(root, "tiny.bin", "tiny.bin", BS), "under MIN_RESUME_SIZE");
        assertFalse(Files.exists(dir.resolve("tiny.bin" + IncomingFile.PART_SUFFIX)));
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type()), "no tmpfs at /dev/shm");
        Path tmp = Files.createTempDirectory(shm, "dwcp-noclone");
        try (StorageRoot r = StorageRoot.open(IoPaths.select(IoMode.AUTO), tmp, 4096)) {
            Files.write(tmp.resolve("big.bin"), StorageTestData.random(5 * BS, 7));
            assertNull(IncomingFile.cloneBasisAhead(r, "big.bin", "big.bin", 5 * BS), "tmpfs shares no extents");
            assertEquals(List.of("big.bin"), Files.list(tmp).map(p -> p.getFileName().toString()).toList(),
                    "the refused clone's part file is gone again");
        } finally {
            Files.deleteIfExists(tmp.resolve("big.bin"));
            Files.deleteIfExists(tmp);
        }
    }
}
