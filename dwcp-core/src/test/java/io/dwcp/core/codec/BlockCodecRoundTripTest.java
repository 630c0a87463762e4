package io.dwcp.core.codec;

import io.dwcp.core.frame.Codec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.Limits;
import io.dwcp.core.codec.TestData.Kind;
import io.dwcp.core.codec.TestData.Placement;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.core.frame.DataFrameFlyweight;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property-style round trips: BlockEncoder then (over a simulated wire, as a full DATA frame) BlockDecoder, for
 * every compress mode, data kind (random, text, all zero, sparse) and buffer placement, at sizes around each boundary and at the block size
 * limit. Each case checks the bytes, the lengths, the codec chosen, and that the frame header the sender would
 * build passes the receiver's checks.
 */
class BlockCodecRoundTripTest {
    static final int[] BLOCK_SIZES = {Limits.MIN_BLOCK_SIZE, Limits.DEFAULT_BLOCK_SIZE, Limits.MAX_BLOCK_SIZE};

    /** One maximal block per data kind; smaller blocks are prefixes of it. */
    private static final Map<Kind, byte[]> BASE = new EnumMap<>(Kind.class);

    static synchronized byte[] block(Kind kind, int size) {
        byte[] base = BASE.computeIfAbsent(kind, k -> TestData.bytes(k, Limits.MAX_BLOCK_SIZE, 42));
        return Arrays.copyOf(base, size);
    }

    static int[] sizes(int blockSize) {
        TreeSet<Integer> s = new TreeSet<>(List.of(1, 2, 4095, 4096, 4097, blockSize - 1, blockSize));
        return s.stream().filter(n -> n <= blockSize).mapToInt(Integer::intValue).toArray();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int bs : BLOCK_SIZES) {
            for (CompressMode mode : CompressMode.values()) {
                for (Kind kind : Kind.values()) {
                    out.add(Arguments.of(mode, kind, bs));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} blockSize={2}")
    @MethodSource("cases")
    void roundTrip(CompressMode mode, Kind kind, int blockSize) throws Exception {
        BlockEncoder encoder = new BlockEncoder(mode, blockSize);
        BlockDecoder decoder = new BlockDecoder(blockSize);
        DataFrameFlyweight frame = new DataFrameFlyweight()
                .wrap(ByteBuffer.allocate(DataFrameDescriptor.FRAME_HEADER_LENGTH));
        Placement[] placements = blockSize == Limits.MAX_BLOCK_SIZE
                ? new Placement[] {Placement.HEAP, Placement.DIRECT_READ_ONLY}
                : Placement.values();
        int i = 0;
        for (int size : sizes(blockSize)) {
            byte[] data = block(kind, size);
            for (Placement placement : placements) {
                String where = mode + " " + kind + " bs=" + blockSize + " size=" + size + " " + placement;
                ByteBuffer block = TestData.place(data, placement);
                int pos = block.position();
                int lim = block.limit();

                ByteBuffer wire = encoder.encode(block);
                Codec codec = encoder.codec();
                assertEquals(pos, block.position(), where + ": encode moved the block's position");
                assertEquals(lim, block.limit(), where + ": encode moved the block's limit");
                assertArrayEquals(data, TestData.remaining(block), where + ": encode changed the block");
                int wireLength = wire.remaining();
                assertTrue(wireLength <= DataFrameDescriptor.maxWireLength(size), where);

                switch (codec) {
                    case ZERO -> assertEquals(0, wireLength, where + ": ZERO carries no payload");
                    case RAW -> {
                        assertSame(block, wire, where + ": RAW must send the block itself");
                        assertEquals(size, wireLength, where);
                    }
                    case LZ4 -> {
                        assertTrue(wireLength < size, where + ": LZ4 sent although it does not shrink");
                        if (mode == CompressMode.AUTO) {
                            assertTrue(wireLength <= size * CompressionAdvisor.PAYING_RATIO,
                                    where + ": AUTO sent LZ4 that does not pay: " + wireLength);
                        }
                    }
                }
                // Which codec each mode must choose. All-zero blocks are ZERO in every mode, and only they are.
                boolean allZero = Arrays.equals(data, new byte[size]);
                assertEquals(kind == Kind.ZEROS, allZero, "test data");
                if (allZero) {
                    assertEquals(Codec.ZERO, codec, where);
                } else if (mode == CompressMode.OFF || !kind.compressible()) {
                    assertEquals(Codec.RAW, codec, where);
                } else if (mode == CompressMode.LZ4 && size >= 4095) {
                    assertEquals(Codec.LZ4, codec, where + ": --compress lz4 left compressible data raw");
                } else if (mode == CompressMode.LZ4 && size <= 2) {
                    assertEquals(Codec.RAW, codec, where + ": LZ4 cannot shrink " + size + " bytes");
                }
                if (!allZero) {
                    assertTrue(codec != Codec.ZERO, where + ": a block with data was sent as ZERO");
                }

                // The header the sender builds must pass the receiver's checks.
                CRC32C crc = new CRC32C();
                crc.update(data);
                long offset = (long) blockSize * (i++ % 5);
                frame.encode(codec, 7, offset, size, wireLength, (int) crc.getValue());
                assertEquals(FrameType.DATA, FrameDescriptor.checkPrefix(frame.buffer(), 0, DataFrameDescriptor.maxBody()));
                frame.validate(blockSize);

                // Over the wire: the payload lands in a fresh buffer (heap or direct, maybe at an offset).
                Placement landing = (i % 2 == 0) ? Placement.HEAP : Placement.DIRECT_OFFSET;
                ByteBuffer payload = TestData.place(TestData.remaining(wire), landing);
                int payloadPos = payload.position();
                ByteBuffer out = decoder.decode(frame.codec(), payload, frame.reconstructedLength());
                assertEquals(payloadPos, payload.position(), where + ": decode moved the payload position");
                if (codec == Codec.RAW) {
                    assertSame(payload, out, where);
                } else {
                    assertTrue(out != payload, where);
                    assertEquals(0, out.position(), where);
                }
                assertEquals(size, out.remaining(), where + ": wrong reconstructed length");
                assertArrayEquals(data, TestData.remaining(out), where + ": wrong bytes");
                CRC32C check = new CRC32C();
                check.update(out.duplicate());
                assertEquals(frame.crc(), (int) check.getValue(), where);
            }
        }
    }
}
