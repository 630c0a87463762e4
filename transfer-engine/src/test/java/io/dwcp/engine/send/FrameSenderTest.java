package io.dwcp.engine.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.codec.BlockDecoder;
import io.dwcp.core.codec.CompressMode;
import io.dwcp.core.frame.Codec;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.core.frame.DataFrameFlyweight;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.message.Message;
import io.dwcp.engine.runtime.EngineRuntime;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.DataListener;
import io.dwcp.zerocopy.DataSocket;
import io.dwcp.zerocopy.IoMode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One stream's frames over a real socket pair, on both I/O paths, read back as a receiver would. */
class FrameSenderTest {
    private static final int BLOCK = 64 * 1024;
    private static final int H = DataFrameDescriptor.FRAME_HEADER_LENGTH;

    /** Random, zero and text blocks, each sent with LZ4 allowed, decoded and CRC-checked at the far end. */
    @ParameterizedTest
    @EnumSource(IoMode.class)
    void rawZeroAndLz4FramesArriveAsTheBlocksRead(IoMode mode, @TempDir Path dir) throws Exception {
        byte[] data = new byte[3 * BLOCK + 1000];
        Random r = new Random(7);
        for (int i = 0; i < BLOCK; i++) {
            data[i] = (byte) r.nextInt();
        }
        byte[] text = "block=42 status=ok line of text\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 2 * BLOCK; i < data.length; i++) {
            data[i] = text[i % text.length];
        }
        Path p = Files.write(dir.resolve("f.bin"), data);
        try (EngineRuntime rt = EngineRuntime.client(mode, 0, BLOCK); Pair pair = Pair.open(rt)) {
            OutgoingFile f = file(p, data.length, rt);
            FrameSender frames = new FrameSender(rt, pair.client, CompressMode.LZ4, BLOCK, 5000);
            try (frames) {
                DataFile file = f.acquire();
                for (int i = 0; i < f.blockCount; i++) {
                    int n = f.read(file, i, frames.blockMemory(), FrameSender.BLOCK_AT);
                    frames.send(f, file, f.offset(i), n);
                }
                f.release();
            }
            Codec[] want = {Codec.RAW, Codec.ZERO, Codec.LZ4, Codec.LZ4};
            for (int i = 0; i < f.blockCount; i++) {
                byte[] got = pair.readFrame(want[i], f.offset(i));
                assertEquals(-1, Arrays.mismatch(Arrays.copyOfRange(data, (int) f.offset(i),
                        (int) f.offset(i) + f.length(i)), got), "block " + i);
            }
        }
    }

    /** With whole blocks raw (auto over loopback), text goes RAW where LZ4 would have taken it; zeros stay ZERO. */
    @ParameterizedTest
    @EnumSource(IoMode.class)
    void rawBlocksLeaveTextUncompressedAndZerosAsHeaders(IoMode mode, @TempDir Path dir) throws Exception {
        byte[] data = new byte[3 * BLOCK];
        byte[] text = "block=42 status=ok line of text\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < BLOCK; i++) {
            data[i] = text[i % text.length];
        }
        for (int i = 2 * BLOCK; i < data.length; i++) {
            data[i] = text[i % text.length];
        }
        Path p = Files.write(dir.resolve("t.bin"), data);
        try (EngineRuntime rt = EngineRuntime.client(mode, 0, BLOCK); Pair pair = Pair.open(rt)) {
            OutgoingFile f = file(p, data.length, rt);
            try (FrameSender frames = new FrameSender(rt, pair.client, CompressMode.AUTO, true, BLOCK, 5000)) {
                DataFile file = f.acquire();
                for (int i = 0; i < f.blockCount; i++) {
                    int n = f.read(file, i, frames.blockMemory(), FrameSender.BLOCK_AT);
                    frames.send(f, file, f.offset(i), n);
                }
                f.release();
            }
            Codec[] want = {Codec.RAW, Codec.ZERO, Codec.RAW};
            for (int i = 0; i < f.blockCount; i++) {
                byte[] got = pair.readFrame(want[i], f.offset(i));
                assertEquals(-1, Arrays.mismatch(Arrays.copyOfRange(data, (int) f.offset(i),
                        (int) f.offset(i) + f.length(i)), got), "block " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aSourceThatShrankAfterTheReadIsACleanSourceChangedError(IoMode mode, @TempDir Path dir) throws Exception {
        byte[] data = new byte[2 * BLOCK];
        new Random(3).nextBytes(data);
        Path p = Files.write(dir.resolve("f.bin"), data);
        try (EngineRuntime rt = EngineRuntime.client(mode, 0, BLOCK); Pair pair = Pair.open(rt)) {
            OutgoingFile f = file(p, data.length, rt);
            try (FrameSender frames = new FrameSender(rt, pair.client, CompressMode.OFF, BLOCK, 5000)) {
                DataFile file = f.acquire();
                int n = f.read(file, 1, frames.blockMemory(), FrameSender.BLOCK_AT);
                try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
                    raf.setLength(BLOCK + 100);
                }
                IOException e;
                if (rt.io().sendfile() && n >= FrameSender.SENDFILE_MIN_BYTES) {
                    // the bytes go from the file, which no longer has them: the frame is cut, the stream is broken
                    e = assertThrows(IOException.class, () -> frames.send(f, file, f.offset(1), n));
                    assertFalse(e instanceof SourceChangedException, "a cut frame breaks the stream, not only the file");
                } else {
                    // the bytes go from the slab the read filled: this frame is whole, the next read is refused
                    // before any byte of its frame went, so only the file is given up
                    frames.send(f, file, f.offset(1), n);
                    e = assertThrows(IOException.class, () -> f.read(file, 1, frames.blockMemory(), FrameSender.BLOCK_AT));
                    assertTrue(e instanceof SourceChangedException, e.toString());
                }
                f.release();
                assertTrue(e instanceof DwcpException && e.getMessage().contains("path=\"f.bin\"")
                        && e.getMessage().contains("reason=source-changed-during-transfer"), e.toString());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aPeerResetMidSendIsAnIoErrorNotAHang(IoMode mode, @TempDir Path dir) throws Exception {
        byte[] data = new byte[16 * BLOCK];
        new Random(5).nextBytes(data);
        Path p = Files.write(dir.resolve("f.bin"), data);
        try (EngineRuntime rt = EngineRuntime.client(mode, 0, BLOCK); Pair pair = Pair.open(rt)) {
            OutgoingFile f = file(p, data.length, rt);
            pair.server.close();
            try (FrameSender frames = new FrameSender(rt, pair.client, CompressMode.OFF, BLOCK, 5000)) {
                DataFile file = f.acquire();
                IOException e = assertThrows(IOException.class, () -> {
                    for (int round = 0; round < 1000; round++) {
                        for (int i = 0; i < f.blockCount; i++) {
                            int n = f.read(file, i, frames.blockMemory(), FrameSender.BLOCK_AT);
                            frames.send(f, file, f.offset(i), n);
                        }
                    }
                });
                f.release();
                assertTrue(!(e instanceof DwcpException), "a peer reset is a stream failure, not a source change: " + e);
            }
        }
    }

    private static OutgoingFile file(Path p, long size, EngineRuntime rt) {
        return new OutgoingFile(0, Entry.file("f.bin", size, 0644, 0), p, BLOCK,
                new Message.FilePlan(0, Message.FilePlan.NEW, 0, new byte[0]), rt.io()::openSource, true);
    }

    /** A connected socket pair through the runtime's I/O path, and a receiver-side frame reader. */
    private record Pair(DataListener listener, DataSocket client, DataSocket server, MemorySegment in)
            implements AutoCloseable {
        static Pair open(EngineRuntime rt) throws IOException {
            DataListener l = rt.io().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
            DataSocket c = rt.io().connect(l.localAddress(), 5000);
            DataSocket s = l.accept();
            s.setIdleTimeout(5000);
            return new Pair(l, c, s, Arena.ofAuto().allocate(H + DataFrameDescriptor.maxWireLength(BLOCK), 64));
        }

        byte[] readFrame(Codec codec, long offset) throws Exception {
            server.readFully(in, 0, H);
            DataFrameFlyweight fw = new DataFrameFlyweight().wrap(in.asSlice(0, H).asByteBuffer());
            fw.validate(BLOCK);
            assertEquals(codec, fw.codec());
            assertEquals(offset, fw.offset());
            server.readFully(in, H, fw.wireLength());
            ByteBuffer payload = in.asSlice(H, fw.wireLength()).asByteBuffer();
            ByteBuffer out = new BlockDecoder(BLOCK).decode(fw.codec(), payload, fw.reconstructedLength());
            CRC32C crc = new CRC32C();
            crc.update(out.duplicate());
            assertEquals(fw.crc(), (int) crc.getValue());
            byte[] b = new byte[out.remaining()];
            out.get(b);
            return b;
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
            listener.close();
        }
    }
}
