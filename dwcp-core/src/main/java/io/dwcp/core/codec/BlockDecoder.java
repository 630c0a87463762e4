package io.dwcp.core.codec;

import io.dwcp.core.frame.Codec;
import io.dwcp.core.DwcpException;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Decodes DATA payloads from the network. LZ4 goes through the safe decompressor only: the payload is
 * untrusted, and the output must be exactly the announced length. One decoder per receiving stream.
 */
public final class BlockDecoder {
    private final LZ4SafeDecompressor lz4 = LZ4Factory.fastestInstance().safeDecompressor();
    private final ByteBuffer scratch;
    /** Never written: the source of ZERO blocks. */
    private final ByteBuffer zeros;

    /** A decoder with buffers of its own (tests, benchmarks, short-lived tools). */
    public BlockDecoder(int blockSize) {
        this(ByteBuffer.allocateDirect(blockSize), ByteBuffer.allocateDirect(blockSize));
    }

    /**
     * A decoder on buffers the caller owns (a server's slabs): {@code zeros} a block of zero bytes, only ever read
     * (its capacity is the largest block decoded), {@code scratch} for LZ4 output, at least a block (as large as
     * {@link io.dwcp.core.frame.PageMapDescriptor#maxPayload} of a block to decode page payloads).
     */
    public BlockDecoder(ByteBuffer scratch, ByteBuffer zeros) {
        this.scratch = scratch;
        this.zeros = zeros.asReadOnlyBuffer();
    }

    /**
     * Decodes the LZ4 payload of a page codec (its page map and pages, at most {@code maxLength} bytes: the map
     * says how long it must be, which the caller checks) into the scratch buffer; returns it, position 0.
     */
    public ByteBuffer decodePages(ByteBuffer payload, int maxLength) throws DwcpException {
        if (maxLength > scratch.capacity()) {
            throw DwcpException.protocol("frame=data reason=block-too-large length=" + maxLength);
        }
        int n;
        try {
            n = lz4.decompress(payload, payload.position(), payload.remaining(), scratch.clear(), 0, maxLength);
        } catch (LZ4Exception e) {
            throw DwcpException.protocol("frame=data reason=lz4-corrupt detail=" + e.getMessage());
        }
        scratch.clear().limit(n);
        return scratch;
    }

    /**
     * Returns the reconstructed bytes (position 0, limit = length): {@code payload} itself for RAW, else
     * the decoder's scratch buffer.
     */
    public ByteBuffer decode(Codec codec, ByteBuffer payload, int reconstructedLength) throws DwcpException {
        if (reconstructedLength <= 0) {
            throw DwcpException.protocol("frame=data reason=bad-length length=" + reconstructedLength);
        }
        if (reconstructedLength > zeros.capacity()) {
            throw DwcpException.protocol("frame=data reason=block-too-large length=" + reconstructedLength);
        }
        if (codec == Codec.ZERO) {
            return zeros.clear().limit(reconstructedLength);
        }
        if (codec == Codec.RAW) {
            if (payload.remaining() != reconstructedLength) {
                throw DwcpException.protocol("frame=data reason=raw-length-mismatch wire=" + payload.remaining()
                        + " length=" + reconstructedLength);
            }
            return payload;
        }
        int n;
        try {
            n = lz4.decompress(payload, payload.position(), payload.remaining(), scratch, 0, reconstructedLength);
        } catch (LZ4Exception e) {
            throw DwcpException.protocol("frame=data reason=lz4-corrupt detail=" + e.getMessage());
        }
        if (n != reconstructedLength) {
            throw DwcpException.protocol("frame=data reason=lz4-length-mismatch got=" + n + " want=" + reconstructedLength);
        }
        scratch.clear().limit(n);
        return scratch;
    }
}
