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
     * An encoder without a scratch buffer, for callers that own where LZ4 output goes
     * ({@link #encode(ByteBuffer, ByteBuffer)}); {@link #encode(ByteBuffer)} is then not available.
     */
    public BlockEncoder(CompressMode mode) {
        this.mode = mode;
        this.lz4 = mode == CompressMode.OFF ? null : LZ4Factory.fastestInstance().fastCompressor();
        this.scratch = null;
    }

    /**
     * Encodes {@code block} (position..limit, left unchanged) and returns the buffer to send: either
     * {@code block} itself (RAW) or the internal scratch buffer holding LZ4 output. {@link #codec()} names
     * the codec used.
     */
    public ByteBuffer encode(ByteBuffer block) {
        if (scratch == null && mode != CompressMode.OFF) {
            throw new IllegalStateException("reason=no-scratch hint=\"use encode(block, out)\"");
        }
        int n = encode(block, scratch == null ? null : scratch.clear());
        return switch (lastCodec) {
            case ZERO -> EMPTY;
            case LZ4 -> scratch.clear().limit(n);
            default -> block;
        };
    }

    /**
     * Encodes {@code block} (position..limit, left unchanged); LZ4 output, when sent, is written to
     * {@code lz4Out[0..n)} by absolute index (its position and limit are left alone; room for
     * {@link DataFrameDescriptor#maxWireLength} of the block is needed below its limit). Returns the wire length: 0 for ZERO,
     * {@code block.remaining()} for RAW (send the block itself), {@code n} for LZ4. {@link #codec()} names the
     * codec. Lets a sender keep several output buffers in flight (zero-copy sends); allocates nothing.
     */
    public int encode(ByteBuffer block, ByteBuffer lz4Out) {
        if (ZeroScan.isAllZero(block)) {
            lastCodec = Codec.ZERO;
            return 0;
        }
        lastCodec = Codec.RAW;
        int raw = block.remaining();
        if (mode == CompressMode.OFF || (mode == CompressMode.AUTO && !advisor.shouldTry())) {
            return raw;
        }
        // Up to the limit, not the capacity: LZ4's absolute puts are checked against the limit.
        int n = lz4.compress(block, block.position(), raw, lz4Out, 0, lz4Out.limit());
        boolean send = mode == CompressMode.AUTO ? advisor.record(raw, n) : n < raw;
        if (!send) {
            return raw;
        }
        lastCodec = Codec.LZ4;
        return n;
    }

    public Codec codec() {
        return lastCodec;
    }

    public CompressionAdvisor advisor() {
        return advisor;
    }
}
