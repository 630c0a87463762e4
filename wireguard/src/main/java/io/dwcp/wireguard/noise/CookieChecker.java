package io.dwcp.wireguard.noise;

import io.dwcp.wireguard.crypto.XChaCha20Poly1305;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Responder side of WireGuard's DoS defence ({@code cookie.go}): checks mac1 of every handshake message, and under
 * load checks mac2, which proves the sender can receive at its source address; without it a cookie reply is sent.
 * The cookie is keyed BLAKE2s-128 of the source address under a random secret rotated every two minutes. Thread-safe.
 */
public final class CookieChecker {

    /** How long a cookie secret (and a received cookie) stays valid. */
    public static final long COOKIE_REFRESH_NANOS = 120_000_000_000L;

    private final byte[] mac1Key;
    private final byte[] encryptionKey;
    private final LongSupplier nanoClock;
    private final SecureRandom random;
    private final ReentrantLock lock = new ReentrantLock();
    private final byte[] secret = new byte[32];
    private boolean secretSet;
    private long secretSetNanos;

    /** Checker for messages sent to {@code local}, with the system clock. */
    public CookieChecker(LocalIdentity local) {
        this(local, System::nanoTime, new SecureRandom());
    }

    /** Checker with an injected monotonic clock and randomness. */
    public CookieChecker(LocalIdentity local, LongSupplier nanoClock, SecureRandom random) {
        this.mac1Key = local.mac1Key;
        this.encryptionKey = local.cookieKey;
        this.nanoClock = nanoClock;
        this.random = random;
    }

    /** True if the handshake message's mac1 was made for our public key. */
    public boolean checkMac1(byte[] msg) {
        return isHandshake(msg) && Macs.verify(mac1Key, msg, Macs.mac1Offset(msg));
    }

    /** True if the message's mac2 carries the cookie we would give {@code source} now. */
    public boolean checkMac2(byte[] msg, byte[] source) {
        if (!isHandshake(msg)) {
            return false;
        }
        byte[] cookie = new byte[Macs.MAC_LENGTH];
        lock.lock();
        try {
            if (!secretSet || nanoClock.getAsLong() - secretSetNanos > COOKIE_REFRESH_NANOS) {
                return false;
            }
            Macs.mac(secret, source, source.length, cookie, 0);
        } finally {
            lock.unlock();
        }
        return Macs.verify(cookie, msg, Macs.mac2Offset(msg));
    }

    /**
     * Writes into {@code out} (64 bytes) the cookie reply to handshake message {@code msg} from {@code source};
     * {@code receiverIndex} is the sender index found in {@code msg}.
     */
    public void createReply(byte[] msg, int receiverIndex, byte[] source, byte[] out) {
        if (!isHandshake(msg) || out.length != CookieReplyMessage.LENGTH) {
            throw new IllegalArgumentException("length=" + msg.length + "/" + out.length + " expected 148 or 92/64");
        }
        byte[] cookie = new byte[Macs.MAC_LENGTH];
        lock.lock();
        try {
            long now = nanoClock.getAsLong();
            if (!secretSet || now - secretSetNanos > COOKIE_REFRESH_NANOS) {
                random.nextBytes(secret);
                secretSet = true;
                secretSetNanos = now;
            }
            Macs.mac(secret, source, source.length, cookie, 0);
        } finally {
            lock.unlock();
        }
        byte[] nonce = new byte[CookieReplyMessage.NONCE_LENGTH];
        random.nextBytes(nonce);
        int mac1 = Macs.mac1Offset(msg);
        byte[] sealed = XChaCha20Poly1305.seal(encryptionKey, nonce, cookie,
                Arrays.copyOfRange(msg, mac1, mac1 + Macs.MAC_LENGTH));
        Le.putInt(out, 0, CookieReplyMessage.TYPE);
        Le.putInt(out, CookieReplyMessage.RECEIVER, receiverIndex);
        System.arraycopy(nonce, 0, out, CookieReplyMessage.NONCE, nonce.length);
        System.arraycopy(sealed, 0, out, CookieReplyMessage.COOKIE, sealed.length);
        Arrays.fill(cookie, (byte) 0);
    }

    /**
     * The bytes a cookie binds to, as wireguard-go builds them: the IP address (4 or 16 bytes) then the port
     * little-endian. Only this checker ever compares them, so the layout need not match other implementations.
     */
    public static byte[] sourceBytes(InetSocketAddress source) {
        byte[] ip = source.getAddress().getAddress();
        byte[] out = Arrays.copyOf(ip, ip.length + 2);
        out[ip.length] = (byte) source.getPort();
        out[ip.length + 1] = (byte) (source.getPort() >>> 8);
        return out;
    }

    private static boolean isHandshake(byte[] msg) {
        return InitiationMessage.is(msg) || ResponseMessage.is(msg);
    }
}
