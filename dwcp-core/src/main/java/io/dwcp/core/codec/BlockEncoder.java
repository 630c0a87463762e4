package io.dwcp.core.codec;

import io.dwcp.core.frame.Codec;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.simd.ZeroScan;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Encodes one block for the wire under a {@link CompressMode}. All-zero blocks become {@link Codec#ZERO}
 * whatever the mode (it costs one vector scan that random data leaves after its first lane). Owns its
 * scratch buffer, so one encoder per sending stream; nothing is allocated per block.
 */
public final class BlockEncoder {
    private final CompressMode mode;
    private final LZ4Compressor lz4;
    private final ByteBuffer scratch;
    /** Zero capacity, so its position and limit can never change: safe to share. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);
    private final CompressionAdvisor advisor = new CompressionAdvisor();
    private Codec lastCodec = Codec.RAW;

    public BlockEncoder(CompressMode mode, int blockSize) {
        this.mode = mode;
        this.lz4 = mode == CompressMode.OFF ? null : LZ4Factory.fastestInstance().fastCompressor();
        this.scratch = mode == CompressMode.OFF ? null
                : ByteBuffer.allocateDirect(DataFrameDescriptor.maxWireLength(blockSize));
    }

    /**
     * Encodes {@code block} (position..limit, left unchanged) and returns the buffer to send: either
     * {@code block} itself (RAW) or the internal scratch buffer holding LZ4 output. {@link #codec()} names
     * the codec used.
     */
    public ByteBuffer encode(ByteBuffer block) {
        if (ZeroScan.isAllZero(block)) {
            lastCodec = Codec.ZERO;
            return EMPTY;
        }
        lastCodec = Codec.RAW;
        if (mode == CompressMode.OFF || (mode == CompressMode.AUTO && !advisor.shouldTry())) {
            return block;
        }
        int raw = block.remaining();
        scratch.clear();
        int n = lz4.compress(block, block.position(), raw, scratch, 0, scratch.capacity());
        boolean send = mode == CompressMode.AUTO ? advisor.record(raw, n) : n < raw;
        if (!send) {
            return block;
        }
        scratch.limit(n);
        lastCodec = Codec.LZ4;
        return scratch;
    }

    public Codec codec() {
        return lastCodec;
    }

    public CompressionAdvisor advisor() {
        return advisor;
    }
}
