package io.dwcp.engine.send;

import io.dwcp.core.codec.BlockEncoder;
import io.dwcp.core.codec.CompressMode;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.core.frame.DataFrameFlyweight;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.zip.CRC32C;

/**
 * One data stream: pulls blocks from the shared cursor, reads each into its own buffer, digests it, skips
 * blocks the receiver's basis already has, and sends the rest as DATA frames with a gathering write. Every
 * buffer is allocated once per stream; nothing is allocated per block.
 */
final class StreamSender implements Runnable {
    private final TransferClient client;
    private final SocketChannel channel;
    private final BlockEncoder encoder;
    private final ByteBuffer header = ByteBuffer.allocateDirect(DataFrameDescriptor.FRAME_HEADER_LENGTH);
    private final ByteBuffer[] frame = new ByteBuffer[2];
    private final DataFrameFlyweight flyweight = new DataFrameFlyweight().wrap(header);
    private final CRC32C crc = new CRC32C();
    private final byte[] scratchDigest = new byte[BlockDigests.DIGEST_LENGTH];
    private final ByteBuffer block;

    StreamSender(TransferClient client, SocketChannel channel, CompressMode compress, int blockSize) {
        this.client = client;
        this.channel = channel;
        this.encoder = new BlockEncoder(compress, blockSize);
        this.block = ByteBuffer.allocateDirect(blockSize);
    }

    @Override
    public void run() {
        try {
            while (!client.stopped()) {
                long task = client.nextBlock();
                if (task == -1) {
                    if (!client.idle()) {
                        return;
                    }
                    continue;
                }
                boolean retry = task < 0;
                OutgoingFile f = client.file((int) ((task & Long.MAX_VALUE) >>> 32));
                int index = (int) task;
                if (retry) {
                    resend(f, index);
                } else {
                    handle(f, index);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (io.dwcp.core.DwcpException e) {
            client.fail(e.getMessage(), TransferResult.EXIT_FAILED);
        } catch (IOException e) {
            if (!client.stopped()) {
                client.fail("reason=data-stream-failed detail=\"" + e.getMessage() + "\"", TransferResult.EXIT_FAILED);
            }
        }
    }

    private void handle(OutgoingFile f, int index) throws IOException {
        f.read(index, block);
        int length = block.remaining();
        BlockDigests.digest(block, f.digests, index);
        boolean sent = !f.unchanged(index);
        long wire = sent ? send(f, index) : 0;
        client.blockDone(f, sent, length, wire);
    }

    private void resend(OutgoingFile f, int index) throws IOException {
        f.read(index, block);
        BlockDigests.digest(block, scratchDigest, 0);
        if (!BlockDigests.equalAt(scratchDigest, 0, f.digests, index)) {
            client.fail("path=\"" + f.entry.path() + "\" reason=source-changed-during-transfer offset=" + f.offset(index),
                    TransferResult.EXIT_FAILED);
            return;
        }
        client.resent(send(f, index));
    }

    private long send(OutgoingFile f, int index) throws IOException {
        int length = block.remaining();
        crc.reset();
        crc.update(block);
        block.flip();
        ByteBuffer payload = encoder.encode(block);
        flyweight.encode(encoder.codec(), f.id, f.offset(index), length, payload.remaining(), (int) crc.getValue());
        frame[0] = header;
        frame[1] = payload;
        long total = header.remaining() + payload.remaining();
        long left = total;
        while (left > 0) {
            left -= channel.write(frame);
        }
        return total;
    }
}
