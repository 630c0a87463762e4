package io.dwcp.wireguard.noise;

import io.dwcp.wireguard.crypto.XChaCha20Poly1305;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Initiator side of the cookie mechanism, one per peer ({@code cookie.go}): stamps mac1 (keyed for the peer's public
 * key) on every handshake message we send, and mac2 while we hold a cookie younger than two minutes; decrypts cookie
 * replies bound to the last mac1 we sent. Thread-safe.
 */
public final class CookieGenerator {

    private final byte[] mac1Key;
    private final byte[] encryptionKey;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final byte[] cookie = new byte[Macs.MAC_LENGTH];
    private boolean cookieSet;
    private long cookieSetNanos;
    private final byte[] lastMac1 = new byte[Macs.MAC_LENGTH];
    private boolean hasLastMac1;

    /** Generator for messages to the peer with {@code remoteStatic}, with the system clock. */
    public CookieGenerator(byte[] remoteStatic) {
        this(remoteStatic, System::nanoTime);
    }

    /** Generator with an injected monotonic clock. */
    public CookieGenerator(byte[] remoteStatic, LongSupplier nanoClock) {
        this.mac1Key = Macs.mac1Key(remoteStatic);
        this.encryptionKey = Macs.cookieKey(remoteStatic);
        this.nanoClock = nanoClock;
    }

    /** Writes mac1, and mac2 if a fresh cookie is held (else leaves mac2 as is, zero from the create call). */
    public void addMacs(byte[] msg) {
        if (!InitiationMessage.is(msg) && !ResponseMessage.is(msg)) {
            throw new IllegalArgumentException("length=" + msg.length + " expected 148 or 92");
        }
        int mac1 = Macs.mac1Offset(msg);
        int mac2 = Macs.mac2Offset(msg);
        lock.lock();
        try {
            Macs.mac(mac1Key, msg, mac1, msg, mac1);
            System.arraycopy(msg, mac1, lastMac1, 0, Macs.MAC_LENGTH);
            hasLastMac1 = true;
            if (cookieSet && nanoClock.getAsLong() - cookieSetNanos <= CookieChecker.COOKIE_REFRESH_NANOS) {
                Macs.mac(cookie, msg, mac2, msg, mac2);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes the cookie from a reply to our last handshake message; false if it is not one (nothing changes). */
    public boolean consumeReply(byte[] reply) {
        if (!CookieReplyMessage.is(reply)) {
            return false;
        }
        byte[] nonce = Arrays.copyOfRange(reply, CookieReplyMessage.NONCE,
                CookieReplyMessage.NONCE + CookieReplyMessage.NONCE_LENGTH);
        byte[] sealed = Arrays.copyOfRange(reply, CookieReplyMessage.COOKIE,
                CookieReplyMessage.COOKIE + CookieReplyMessage.COOKIE_LENGTH);
        lock.lock();
        try {
            if (!hasLastMac1) {
                return false;
            }
            byte[] opened = XChaCha20Poly1305.open(encryptionKey, nonce, sealed, lastMac1);
            if (opened == null) {
                return false;
            }
            System.arraycopy(opened, 0, cookie, 0, Macs.MAC_LENGTH);
            Arrays.fill(opened, (byte) 0);
            cookieSet = true;
            cookieSetNanos = nanoClock.getAsLong();
            return true;
        } finally {
            lock.unlock();
        }
    }
}
