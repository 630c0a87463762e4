package io.dwcp.wireguard.device;

import io.dwcp.wireguard.noise.Keypair;
import io.dwcp.wireguard.noise.TransportHeader;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;

/**
 * Frames WireGuard transport packets in place around {@link Keypair}'s ChaCha20-Poly1305 (the JDK's, intrinsified
 * on x86-64 and arm64): header, padding, the per-slot buffer views. One instance per thread: a {@link Cipher} is
 * not thread-safe.
 *
 * <p>A packet's buffer holds the 16-byte transport header, then the payload; sealing pads the payload to a multiple
 * of 16 with zeros (WireGuard hides lengths that way) and appends the 16-byte tag. The JDK needs a fresh
 * nonce spec per packet: the only allocation left on this path, a few dozen bytes a packet, which a hand-written
 * cipher would remove.
 */
final class TransportCipher {
    /** Transport header: type, receiver index, counter. */
    static final int HEADER = TransportHeader.LENGTH;
    static final int TAG = Keypair.TAG_LENGTH;
    static final int TYPE_TRANSPORT = TransportHeader.TYPE;

    private final Cipher cipher;
    /** Two views per slot of the batch this cipher works on: the JDK refuses one buffer as both input and output. */
    private ByteBuffer[] inViews = new ByteBuffer[0];
    private ByteBuffer[] outViews = new ByteBuffer[0];

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
        TransportHeader.write(out, base, receiverIndex, counter);
        out.limit(base + HEADER + padded + TAG).position(base + HEADER);
        in.limit(base + HEADER + padded).position(base + HEADER);
        return HEADER + Keypair.seal(cipher, key, counter, in, out);
    }

    /**
     * Opens the datagram of {@code length} bytes at {@code base} in place; returns the plaintext's length (at
     * {@code base +} {@link #HEADER}), or -1 when the tag does not verify (forged, or keys that do not match).
     */
    int open(SecretKey key, long counter, ByteBuffer in, ByteBuffer out, int base, int length) {
        if (length < HEADER + TAG) {
            return -1;
        }
        in.clear();
        out.clear();
        out.limit(base + length).position(base + HEADER);
        in.limit(base + length).position(base + HEADER);
        return Keypair.open(cipher, key, counter, in, out);
    }
}
