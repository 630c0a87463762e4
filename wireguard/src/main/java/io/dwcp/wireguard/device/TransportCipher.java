package io.dwcp.wireguard.device;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;

/**
 * Seals and opens WireGuard transport packets in place with the JDK's ChaCha20-Poly1305 (intrinsified on x86-64 and
 * arm64). One instance per thread: a {@link Cipher} is not thread-safe.
 *
 * <p>A packet's buffer holds the 16-byte transport header, then the payload; sealing pads the payload to a multiple
 * of 16 with zeros (WireGuard hides lengths that way) and appends the 16-byte tag. The JDK needs a fresh
 * {@link IvParameterSpec} per packet (it copies the nonce twice): the only allocation left on this path, a few dozen
 * bytes a packet, which a hand-written cipher would remove.
 */
final class TransportCipher {
    /** Transport header: type, receiver index, counter. */
    static final int HEADER = 16;
    static final int TAG = 16;
    static final int TYPE_TRANSPORT = 4;

    private final Cipher cipher;
    /** Two views per slot of the batch this cipher works on: the JDK refuses one buffer as both input and output. */
    private ByteBuffer[] inViews = new ByteBuffer[0];
    private ByteBuffer[] outViews = new ByteBuffer[0];
    private final byte[] nonce = new byte[12];
    private final ByteBuffer nonceView = ByteBuffer.wrap(nonce).order(ByteOrder.LITTLE_ENDIAN);

    TransportCipher() {
        try {
            cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cipher=ChaCha20-Poly1305 unavailable", e);
        }
    }

    /** Makes the views over {@code batch}'s slots, once: the per-slot methods then allocate nothing. */
    TransportCipher bind(io.dwcp.wireguard.net.PacketBatch batch) {
        inViews = new ByteBuffer[batch.slots()];
        outViews = new ByteBuffer[batch.slots()];
        for (int i = 0; i < batch.slots(); i++) {
            inViews[i] = batch.buffer(i).asByteBuffer();
            outViews[i] = batch.buffer(i).asByteBuffer();
        }
        return this;
    }

    /** {@link #seal(SecretKey, int, long, ByteBuffer, ByteBuffer, int, int, int)} on slot {@code slot} of the bound batch. */
    int seal(SecretKey key, int receiverIndex, long counter, int slot, int base, int payloadLength, int mtu) {
        return seal(key, receiverIndex, counter, inViews[slot], outViews[slot], base, payloadLength, mtu);
    }

    /** {@link #open(SecretKey, long, ByteBuffer, ByteBuffer, int, int)} on slot {@code slot} of the bound batch. */
    int open(SecretKey key, long counter, int slot, int base, int length) {
        return open(key, counter, inViews[slot], outViews[slot], base, length);
    }

    /** The padded length of a payload of {@code length} bytes, capped at {@code mtu} as wireguard-go does. */
    static int paddedLength(int length, int mtu) {
        int padded = (length + 15) & ~15;
        return Math.max(length, Math.min(padded, mtu));
    }

    /**
     * Seals the payload of {@code payloadLength} bytes at {@code base +} {@link #HEADER} of the buffer whose two views
     * are {@code in} and {@code out} (distinct ByteBuffer objects over the same memory), writing the header at
     * {@code base} first. Returns the datagram's length.
     */
    int seal(SecretKey key, int receiverIndex, long counter, ByteBuffer in, ByteBuffer out, int base,
             int payloadLength, int mtu) {
        int padded = paddedLength(payloadLength, mtu);
        // the views keep the bounds of the previous packet; absolute puts need the whole slot
        in.clear();
        out.clear();
        for (int i = base + HEADER + payloadLength; i < base + HEADER + padded; i++) {
            out.put(i, (byte) 0);
        }
        out.order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(base, TYPE_TRANSPORT);
        out.putInt(base + 4, receiverIndex);
        out.putLong(base + 8, counter);
        nonceView.putLong(4, counter);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
            out.limit(base + HEADER + padded + TAG).position(base + HEADER);
            in.limit(base + HEADER + padded).position(base + HEADER);
            cipher.doFinal(in, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("seal failed counter=" + counter, e);
        }
        return HEADER + padded + TAG;
    }

    /**
     * Opens the datagram of {@code length} bytes at {@code base} in place; returns the plaintext's length (at
     * {@code base +} {@link #HEADER}), or -1 when the tag does not verify (forged, or keys that do not match). The
     * JDK reports that by an exception, which stays inside this method: for the caller it is a counted drop.
     */
    int open(SecretKey key, long counter, ByteBuffer in, ByteBuffer out, int base, int length) {
        if (length < HEADER + TAG) {
            return -1;
        }
        nonceView.putLong(4, counter);
        in.clear();
        out.clear();
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
            out.limit(base + length).position(base + HEADER);
            in.limit(base + length).position(base + HEADER);
            return cipher.doFinal(in, out);
        } catch (javax.crypto.AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("open failed counter=" + counter, e);
        }
    }
}
