package io.dwcp.wireguard.device;

import io.dwcp.wireguard.noise.Keypair;

/**
 * The keypairs of every peer over their lives: installed when a handshake completes (an initiator's current at
 * once, a responder's as {@code next} until the initiator's first packet confirms it), promoted, retired, and
 * their receiver indexes freed. Callers hold the peer's lock, except for {@link #confirmNext}, which takes it.
 */
final class Keyring {
    private final IndexTable<Object> indexes;
    private final DeviceCounters counters;

    Keyring(IndexTable<Object> indexes, DeviceCounters counters) {
        this.indexes = indexes;
        this.counters = counters;
    }

    /** Installs a fresh keypair (see the class comment); the handshake's index now names the session. */
    void install(Peer peer, Keypair kp, long now) {
        // wireguard-go swaps the index from handshake to keypair the same way
        indexes.replace(kp.localIndex(), new Session(peer, kp));
        if (kp.isInitiator()) {
            retire(peer.next);
            peer.next = null;
            retire(peer.previous);
            peer.previous = peer.current;
            peer.current = kp;
        } else {
            retire(peer.next);
            peer.next = kp;
        }
        peer.lastHandshakeEpochNanos = epochNanos();
        peer.timers.handshakeComplete();
        peer.timers.sessionDerived(now);
        counters.handshakes.increment();
    }

    /** The responder saw the initiator use {@code next}: it becomes current. True if it did just now. */
    boolean confirmNext(Peer peer, Keypair kp) {
        peer.lock.lock();
        try {
            if (peer.next != kp) {
                return false;
            }
            retire(peer.previous);
            peer.previous = peer.current;
            peer.current = kp;
            peer.next = null;
            return true;
        } finally {
            peer.lock.unlock();
        }
    }

    /** Forgets every keypair of the peer and its pending handshake's index. */
    void dropKeys(Peer peer) {
        retire(peer.previous);
        retire(peer.current);
        retire(peer.next);
        peer.previous = peer.current = peer.next = null;
        forgetHandshake(peer);
    }

    /** Frees the index a pending handshake is known by. */
    void forgetHandshake(Peer peer) {
        if (peer.handshakeIndex != 0) {
            indexes.remove(peer.handshakeIndex, peer);
            peer.handshakeIndex = 0;
        }
    }

    private void retire(Keypair kp) {
        if (kp != null) {
            indexes.remove(kp.localIndex(), indexes.lookup(kp.localIndex()));
        }
    }

    private static long epochNanos() {
        java.time.Instant n = java.time.Instant.now();
        return n.getEpochSecond() * 1_000_000_000L + n.getNano();
    }
}
