package io.dwcp.wireguard.noise;

import io.dwcp.wireguard.crypto.Keys;
import io.dwcp.wireguard.crypto.X25519;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One peer's handshake state: its static key, preshared key, the static-static DH computed once, and the Noise state
 * of the handshake in flight. All mutable state is guarded by {@link #lock}, since timers, the receive path and the
 * UAPI may touch a peer from different threads; handshakes are rare enough that a plain lock costs nothing.
 */
public final class PeerHandshake {

    final ReentrantLock lock = new ReentrantLock();
    final byte[] remoteStatic;
    final byte[] presharedKey = new byte[Keys.LENGTH];
    final byte[] staticStatic = new byte[Keys.LENGTH];

    HandshakeState state = HandshakeState.ZEROED;
    final SymmetricState symmetric = new SymmetricState();
    final byte[] localEphemeral = new byte[Keys.LENGTH];
    final byte[] remoteEphemeral = new byte[Keys.LENGTH];
    int localIndex;
    int remoteIndex;
    final byte[] lastTimestamp = new byte[Tai64n.LENGTH];
    boolean consumedInitiation;
    long lastInitiationConsumedNanos;

    /**
     * Handshake state for the peer with {@code remoteStatic}, with {@code presharedKey} (null for none, which is 32
     * zero bytes on the wire).
     */
    public PeerHandshake(LocalIdentity local, byte[] remoteStatic, byte[] presharedKey) {
        if (remoteStatic.length != Keys.LENGTH) {
            throw new IllegalArgumentException("length=" + remoteStatic.length + " expected 32");
        }
        this.remoteStatic = remoteStatic.clone();
        setPresharedKey(presharedKey);
        setLocalIdentity(local);
    }

    /** Recomputes the static-static DH after the local key changed; a low-order peer key leaves it zero. */
    public void setLocalIdentity(LocalIdentity local) {
        byte[] ss = X25519.sharedSecret(local.privateKey, remoteStatic);
        lock.lock();
        try {
            // zero disables handshakes with this peer, as wireguard-go does for an unusable public key
            System.arraycopy(ss == null ? new byte[Keys.LENGTH] : ss, 0, staticStatic, 0, Keys.LENGTH);
        } finally {
            lock.unlock();
        }
    }

    /** Sets the preshared key (null for none). */
    public void setPresharedKey(byte[] psk) {
        if (psk != null && psk.length != Keys.LENGTH) {
            throw new IllegalArgumentException("length=" + psk.length + " expected 32");
        }
        lock.lock();
        try {
            if (psk == null) {
                Arrays.fill(presharedKey, (byte) 0);
            } else {
                System.arraycopy(psk, 0, presharedKey, 0, Keys.LENGTH);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A copy of the peer's static public key. */
    public byte[] remoteStatic() {
        return remoteStatic.clone();
    }

    /** True if this peer's static key is {@code key} (constant time). */
    public boolean hasRemoteStatic(byte[] key) {
        return java.security.MessageDigest.isEqual(remoteStatic, key);
    }

    /** The current state. */
    public HandshakeState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** Our index of the handshake in flight (0 when none). */
    public int localIndex() {
        lock.lock();
        try {
            return localIndex;
        } finally {
            lock.unlock();
        }
    }

    /** The peer's index from the last consumed initiation or response. */
    public int remoteIndex() {
        lock.lock();
        try {
            return remoteIndex;
        } finally {
            lock.unlock();
        }
    }

    /** Abandons the handshake in flight and wipes its secrets; replay and flood memory is kept. */
    public void clear() {
        lock.lock();
        try {
            clearLocked();
        } finally {
            lock.unlock();
        }
    }

    void clearLocked() {
        Arrays.fill(localEphemeral, (byte) 0);
        Arrays.fill(remoteEphemeral, (byte) 0);
        symmetric.clear();
        localIndex = 0;
        state = HandshakeState.ZEROED;
    }
}
