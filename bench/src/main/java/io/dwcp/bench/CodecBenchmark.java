package io.dwcp.bench;

import io.dwcp.core.codec.BlockDecoder;
import io.dwcp.core.codec.BlockEncoder;
import io.dwcp.core.frame.Codec;
import io.dwcp.core.codec.CompressMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import net.jpountz.lz4.LZ4Factory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The data-frame codecs on one 1 MiB block (the default block size), held in a direct buffer as the data
 * plane holds it.
 *
 * <p>Every operation processes exactly {@link #BLOCK} = 1 MiB of reconstructed bytes, so throughput in
 * bytes/s is {@code ops/s × 1,048,576} (GB/s = ops/s × 0.001048576); {@code bench/jmh.sh} does the
 * conversion and writes {@code bench/JMH-RESULTS.md}.
 *
 * <ul>
 *   <li>{@code lz4Encode}: {@code BlockEncoder} with {@code --compress lz4}. On random data LZ4 runs to the
 *       end, finds no gain and the block goes RAW: the full price of trying.</li>
 *   <li>{@code autoEncode}: {@code --compress auto}. On random data the advisor backs off, so this is mostly
 *       the zero-block scan (which stops at the first non-zero lane): an amortised cost per block, not
 *       a rate at which bytes are read. On text it compresses every block.</li>
 *   <li>RAW ({@code --compress off}) is left out: after the zero scan it returns the block untouched.</li>
 *   <li>{@code lz4Decode}: {@code BlockDecoder} (safe decompressor) of the block's LZ4 form. For random data
 *       that form is larger than the block and the encoder would never send it, but a receiver must still
 *       take it at this speed: it is the worst case the network can hand us.</li>
 * </ul>
 */
public class CodecBenchmark extends BlockBenchmark {

    /** {@code random}: incompressible; {@code text}: repeated log-like lines, which LZ4 shrinks several-fold. */
    @Param({"random", "text"})
    public String data;

    private ByteBuffer block;
    private ByteBuffer lz4Payload;
    private BlockEncoder lz4;
    private BlockEncoder auto;
    private BlockDecoder decoder;

    static byte[] content(String kind, int size) {
        byte[] b = new byte[size];
        switch (kind) {
            case "random" -> new SplittableRandom(42).nextBytes(b);
            case "text" -> {
                int at = 0;
                for (int line = 0; at < size; line++) {
                    byte[] l = ("2026-11-21T19:40:46.%03d INFO transfer file=%d offset=%d bytes=1048576 ok\n"
                            .formatted(line % 1000, line % 97, (long) line << 20)).getBytes(StandardCharsets.US_ASCII);
                    int n = Math.min(l.length, size - at);
                    System.arraycopy(l, 0, b, at, n);
                    at += n;
                }
            }
            default -> throw new IllegalArgumentException("data=" + kind);
        }
        return b;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        byte[] bytes = content(data, BLOCK);
        block = ByteBuffer.allocateDirect(BLOCK).put(bytes).flip();
        lz4 = new BlockEncoder(CompressMode.LZ4, BLOCK);
        auto = new BlockEncoder(CompressMode.AUTO, BLOCK);
        decoder = new BlockDecoder(BLOCK);

        byte[] compressed = LZ4Factory.fastestInstance().fastCompressor().compress(bytes);
        lz4Payload = ByteBuffer.allocateDirect(compressed.length).put(compressed).flip();
        // Sanity: the payload decodes to the block, and the encoder chooses what this benchmark claims.
        ByteBuffer out = decoder.decode(Codec.LZ4, lz4Payload, BLOCK);
        if (!out.equals(block)) {
            throw new IllegalStateException("LZ4 round trip failed");
        }
        lz4.encode(block);
        Codec expected = data.equals("random") ? Codec.RAW : Codec.LZ4;
        if (lz4.codec() != expected) {
            throw new IllegalStateException("data=" + data + " encoded as " + lz4.codec() + ", expected " + expected);
        }
    }

    @Benchmark
    public ByteBuffer lz4Encode() {
        return lz4.encode(block);
    }

    @Benchmark
    public ByteBuffer autoEncode() {
        return auto.encode(block);
    }

    @Benchmark
    public ByteBuffer lz4Decode() throws Exception {
        return decoder.decode(Codec.LZ4, lz4Payload, BLOCK);
    }
}
