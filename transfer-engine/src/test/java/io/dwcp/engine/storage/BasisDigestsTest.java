package io.dwcp.engine.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BasisDigestsTest {
    private static final int BS = 1 << 20;

    /** The digests of {@code data}'s blocks, one after the other on this thread: what the shared digest must equal. */
    private static byte[] expected(byte[] data) {
        int n = FileBlocks.blockCount(data.length, BS);
        byte[] d = new byte[n * BlockDigests.DIGEST_LENGTH];
        for (int i = 0; i < n; i++) {
            BlockDigests.digest(ByteBuffer.wrap(data, i * BS, FileBlocks.blockLength(data.length, BS, i)), d, i);
        }
        return d;
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i += 8) {
            long v = r.nextLong();
            for (int k = 0; k < 8 && i + k < size; k++) {
                b[i + k] = (byte) (v >>> (8 * k));
            }
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void everyBlockGetsItsOwnDigestAndTheCallerHearsOfEach(IoMode mode, @TempDir Path dir) throws Exception {
        // with a short last block
        byte[] data = random(37 * BS + 12_345, 7);
        Files.write(dir.resolve("big.bin"), data);
        AtomicInteger callerBlocks = new AtomicInteger();
        try (StorageRoot root = StorageRoot.open(IoPaths.select(mode), dir, 4096); Arena arena = Arena.ofConfined()) {
            ByteBuffer scratch = arena.allocate(BS, 4096).asByteBuffer();
            for (int round = 0; round < 3; round++) {
                byte[] got = BasisDigests.digest(root, "big.bin", "big.bin", data.length, BS, scratch,
                        callerBlocks::incrementAndGet);
                assertArrayEquals(expected(data), got, "round " + round);
            }
        }
        assertEquals(3 * FileBlocks.blockCount(data.length, BS), callerBlocks.get(), "a block is activity");
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aSmallBasisAndOneThatShrankAreDigestedAsFarAsTheyGo(IoMode mode, @TempDir Path dir) throws Exception {
        byte[] small = random(3 * BS + 1, 8);
        Files.write(dir.resolve("small.bin"), small);
        byte[] big = random(9 * BS, 9);
        Files.write(dir.resolve("shrank.bin"), big);
        try (StorageRoot root = StorageRoot.open(IoPaths.select(mode), dir, 4096); Arena arena = Arena.ofConfined()) {
            ByteBuffer scratch = arena.allocate(BS, 4096).asByteBuffer();
            assertArrayEquals(expected(small), BasisDigests.digest(root, "small.bin", "small.bin", small.length, BS,
                    scratch, () -> { }));
            // looked at when it was bigger: the blocks it no longer has digest as empty, so they differ
            long claimed = big.length + 4L * BS;
            byte[] got = BasisDigests.digest(root, "shrank.bin", "shrank.bin", claimed, BS, scratch, () -> { });
            assertEquals(FileBlocks.blockCount(claimed, BS) * BlockDigests.DIGEST_LENGTH, got.length);
            byte[] head = expected(big);
            assertArrayEquals(head, java.util.Arrays.copyOf(got, head.length));
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aBasisThatCannotBeReadFailsWithItsName(IoMode mode, @TempDir Path dir) throws Exception {
        Files.createDirectory(dir.resolve("not-a-file"));
        try (StorageRoot root = StorageRoot.open(IoPaths.select(mode), dir, 4096); Arena arena = Arena.ofConfined()) {
            ByteBuffer scratch = arena.allocate(BS, 4096).asByteBuffer();
            DwcpException e = assertThrows(DwcpException.class, () -> BasisDigests.digest(root, "not-a-file",
                    "not-a-file", 9L * BS, BS, scratch, () -> { }));
            assertTrue(e.getMessage().contains("not-a-file"), e.getMessage());
        }
    }
}
