package io.dwcp.core.framestream;

import io.dwcp.core.codec.CompressMode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A frame stream written to memory: the tests read it back, cut it into frames and corrupt it, which a live
 * channel would not let them do.
 */
final class Recorded {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final WritableByteChannel channel = Channels.newChannel(bytes);

    byte[] toByteArray() {
        return bytes.toByteArray();
    }

    static ReadableByteChannel replay(byte[] stream) {
        return Channels.newChannel(new ByteArrayInputStream(stream));
    }

    static FrameStreamConfig config(long cache, int maxFrame) {
        return new FrameStreamConfig(cache, maxFrame, CompressMode.AUTO);
    }

    /** Cuts a recorded stream into its parts: the stream header, then each frame (header and payload). */
    static List<byte[]> parts(byte[] stream) {
        List<byte[]> out = new ArrayList<>();
        out.add(Arrays.copyOfRange(stream, 0, FrameStreamDescriptor.LENGTH));
        int at = FrameStreamDescriptor.LENGTH;
        while (at < stream.length) {
            int wire = ByteBuffer.wrap(stream, at + FrameDeltaDescriptor.WIRE_LENGTH_OFFSET, 4).getInt();
            int end = at + FrameDeltaDescriptor.HEADER_LENGTH + wire;
            out.add(Arrays.copyOfRange(stream, at, end));
            at = end;
        }
        return out;
    }

    static byte[] join(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
