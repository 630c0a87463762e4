package io.dwcp.wireguard.device;

import io.dwcp.wireguard.noise.CookieGenerator;
import io.dwcp.wireguard.noise.Keypair;
import io.dwcp.wireguard.noise.LocalIdentity;
import io.dwcp.wireguard.noise.PeerHandshake;
import io.dwcp.wireguard.net.Endpoints;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One remote WireGuard peer: its handshake state, its keypairs (current, previous, and the next one a responder holds
 * until the initiator's first packet confirms it), its endpoint, its timers and its counters.
 *
 * <p>The data path reads {@link #current} and the endpoint without a lock (volatile); handshakes, key rotation and
 * configuration take {@link #lock}: they are rare, and they are the only writers.
 */
public final class Peer {
    final byte[] publicKey;
    final ReentrantLock lock = new ReentrantLock();
    final PeerTimers timers;
    final StagedPackets staged;
    volatile PeerHandshake handshake;
    volatile CookieGenerator cookies;
    volatile byte[] presharedKey;
    /** The endpoint in {@link Endpoints} form, replaced (never changed in place) when the peer roams; null: none. */
    volatile MemorySegment endpoint;
    volatile int persistentKeepaliveSeconds;

    volatile Keypair current;
    volatile Keypair previous;
    volatile Keypair next;
    /** The index our pending handshake is known by, or 0 with none registered. */
    int handshakeIndex;
    /** nanoTime of the last initiation we sent (rate limit: one per rekey-timeout unless retrying). */
    volatile long lastInitiationSent = Long.MIN_VALUE;

    final AtomicLong rxBytes = new AtomicLong();
    final AtomicLong txBytes = new AtomicLong();
    /** Wall-clock time of the last completed handshake in nanoseconds since the epoch, 0 for never. */
    volatile long lastHandshakeEpochNanos;
    volatile boolean removed;

    Peer(byte[] publicKey, byte[] presharedKey, LocalIdentity local, Timings timings, StagedPackets staged) {
        this.publicKey = publicKey.clone();
        this.presharedKey = presharedKey.clone();
        this.timers = new PeerTimers(timings);
        this.staged = staged;
        rebind(local);
    }

    /** Builds the handshake and cookie state for this device's (new) private key; callers hold {@link #lock}. */
    void rebind(LocalIdentity local) {
        handshake = local == null ? null : new PeerHandshake(local, publicKey, presharedKey);
        cookies = new CookieGenerator(publicKey);
        handshakeIndex = 0;
    }

    /** The peer's public key (a copy). */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The peer's current endpoint, or null if it has none yet. */
    public InetSocketAddress endpoint() {
        MemorySegment e = endpoint;
        return e == null ? null : Endpoints.decode(e);
    }

    /** Sets the endpoint (configuration); null removes it. */
    void endpoint(InetSocketAddress address) {
        if (address == null) {
            endpoint = null;
            return;
        }
        MemorySegment e = newEndpoint();
        Endpoints.encode(address, e);
        endpoint = e;
    }

    /**
     * Roaming: the peer's authenticated packet came from {@code source}; adopt it if it differs. Allocates only when
     * the endpoint really changed.
     */
    void roam(MemorySegment source) {
        MemorySegment e = endpoint;
        if (e == null || !Endpoints.same(e, source)) {
            MemorySegment copy = newEndpoint();
            Endpoints.copy(source, copy);
            endpoint = copy;
        }
    }

    /**
     * A fresh endpoint, published whole and never changed after (readers on the data path hold it without a lock).
     * Heap memory: one is made per configuration change or roam, and the collector frees the old one like any
     * object, with no native memory waiting on it.
     */
    private static MemorySegment newEndpoint() {
        return Endpoints.onHeap();
    }

    /** Bytes received from and sent to this peer, counted as {@code wg show} counts them (whole UDP payloads). */
    public long rxBytes() {
        return rxBytes.get();
    }

    public long txBytes() {
        return txBytes.get();
    }

    /** Epoch nanoseconds of the last completed handshake, 0 for never. */
    public long lastHandshakeEpochNanos() {
        return lastHandshakeEpochNanos;
    }

    @Override
    public String toString() {
        return "peer(" + java.util.Base64.getEncoder().encodeToString(publicKey).substring(0, 8) + "…)";
    }
}
