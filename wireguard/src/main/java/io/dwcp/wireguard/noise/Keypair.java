package io.dwcp.wireguard.noise;

import io.dwcp.wireguard.crypto.ChaCha20Poly1305;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The transport keys of one session with their indices, send counter and replay window, plus the per-packet
 * ChaCha20-Poly1305 seal/open over {@link ByteBuffer}s (heap or direct).
 * <p>
 * Per packet the JDK still allocates: a 12-byte nonce array here, the copy {@link IvParameterSpec} makes of it, and
 * whatever {@code Cipher.init} builds internally (the ChaCha20 state and Poly1305 key); no output arrays are made.
 */
public final class Keypair {

    /** Counters at or past 2^64 - 2^13 - 1 (unsigned) are never sent or accepted. */
    public static final long REJECT_AFTER_MESSAGES = -1L - (1L << 13);
    /** After 2^60 messages a new handshake should be started. */
    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /** Poly1305 tag length. */
    public static final int TAG_LENGTH = 16;

    private final SecretKey sendKey;
    private final SecretKey receiveKey;
    private final int localIndex;
    private final int remoteIndex;
    private final boolean initiator;
    private final long createdNanos;
    private final AtomicLong sendCounter = new AtomicLong();
    private final ReplayWindow replayWindow = new ReplayWindow();

    Keypair(byte[] sendKey, byte[] receiveKey, int localIndex, int remoteIndex, boolean initiator,
            long createdNanos) {
        this.sendKey = new SecretKeySpec(sendKey, "ChaCha20");
        this.receiveKey = new SecretKeySpec(receiveKey, "ChaCha20");
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.initiator = initiator;
        this.createdNanos = createdNanos;
    }

    /** Key for packets we send. */
    public SecretKey sendKey() {
        return sendKey;
    }

    /** Key for packets we receive. */
    public SecretKey receiveKey() {
        return receiveKey;
    }

    /** Our index: peers put it in the receiver field of transport messages to us. */
    public int localIndex() {
        return localIndex;
    }

    /** The peer's index, written as receiver in what we send. */
    public int remoteIndex() {
        return remoteIndex;
    }

    /** True if we initiated the handshake that made this keypair. */
    public boolean isInitiator() {
        return initiator;
    }

    /** {@link System#nanoTime()} (or the injected clock) when the keypair was derived. */
    public long createdNanos() {
        return createdNanos;
    }

    /**
     * The next send counter, or -1 once {@link #REJECT_AFTER_MESSAGES} is reached (the keypair is then spent).
     * Lock-free and allocation-free.
     */
    public long nextSendCounter() {
        long n = sendCounter.getAndIncrement();
        if (Long.compareUnsigned(n, REJECT_AFTER_MESSAGES) >= 0) {
            // pin at the limit so racing callers can never carry the counter around to zero (2^13 of headroom)
            sendCounter.set(REJECT_AFTER_MESSAGES);
            return -1;
        }
        return n;
    }

    /** The replay window; single-owner, see {@link ReplayWindow}. */
    public ReplayWindow replayWindow() {
        return replayWindow;
    }

    /** Replay check of an authenticated packet's counter; true if it is new and may be delivered. */
    public boolean validateCounter(long counter) {
        return replayWindow.validateCounter(counter, REJECT_AFTER_MESSAGES);
    }

    /** {@link #seal(Cipher, SecretKey, long, ByteBuffer, ByteBuffer)} with this keypair's send key. */
    public int seal(Cipher cipher, long counter, ByteBuffer plaintext, ByteBuffer out) {
        return seal(cipher, sendKey, counter, plaintext, out);
    }

    /** {@link #open(Cipher, SecretKey, long, ByteBuffer, ByteBuffer)} with this keypair's receive key. */
    public int open(Cipher cipher, long counter, ByteBuffer ciphertext, ByteBuffer out) {
        return open(cipher, receiveKey, counter, ciphertext, out);
    }

    /**
     * Encrypts the remaining bytes of {@code plaintext} (possibly none: a keepalive) into {@code out} as
     * ciphertext || tag with no associated data, advancing both buffers; returns the bytes written.
     * {@code cipher} is a caller-owned "ChaCha20-Poly1305" instance, used by one thread at a time.
     */
    public static int seal(Cipher cipher, SecretKey key, long counter, ByteBuffer plaintext, ByteBuffer out) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(ChaCha20Poly1305.nonce(counter)));
            return cipher.doFinal(plaintext, out);
        } catch (GeneralSecurityException e) {
            // a short output buffer or a reused (key, counter) is a bug in the caller, not a hostile packet
            throw new IllegalStateException("counter=" + Long.toUnsignedString(counter) + " seal failed", e);
        }
    }

    /**
     * Decrypts the remaining bytes of {@code ciphertext} (ciphertext || tag) into {@code out}; returns the plaintext
     * length, or -1 if the packet does not authenticate (nothing is then written to {@code out}).
     */
    public static int open(Cipher cipher, SecretKey key, long counter, ByteBuffer ciphertext, ByteBuffer out) {
        if (ciphertext.remaining() < TAG_LENGTH) {
            return -1;
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(ChaCha20Poly1305.nonce(counter)));
            return cipher.doFinal(ciphertext, out);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("counter=" + Long.toUnsignedString(counter) + " open failed", e);
        }
    }
}
