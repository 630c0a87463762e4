package io.dwcp.engine.storage;

import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.io.FileBlocks;
import java.nio.ByteBuffer;
import java.util.Random;

/** Seeded file contents and the whole-file digest a sender would announce for them, for the storage tests. */
final class StorageTestData {
    private StorageTestData() {
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The whole-file digest of {@code data} in blocks of {@code blockSize}, as FILE_END carries it. */
    static byte[] fileDigest(byte[] data, int blockSize) {
        int n = FileBlocks.blockCount(data.length, blockSize);
        byte[] d = new byte[n * BlockDigests.DIGEST_LENGTH];
        for (int i = 0; i < n; i++) {
            BlockDigests.digest(ByteBuffer.wrap(data, i * blockSize, FileBlocks.blockLength(data.length, blockSize, i)),
                    d, i);
        }
        return BlockDigests.fileDigest(d, n, data.length);
    }
}
