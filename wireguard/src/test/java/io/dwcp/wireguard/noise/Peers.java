package io.dwcp.wireguard.noise;

import io.dwcp.wireguard.crypto.X25519;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Two identities that know each other, with hand-driven clocks, for the handshake and cookie tests. */
final class Peers {

    final AtomicReference<Instant> wall = new AtomicReference<>(Instant.ofEpochSecond(1_700_000_000L));
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final Noise noise = new Noise(clock(), nanos::get);
    final LocalIdentity alice = new LocalIdentity(X25519.generatePrivateKey());
    final LocalIdentity bob = new LocalIdentity(X25519.generatePrivateKey());
    final PeerHandshake aliceToBob;
    final PeerHandshake bobToAlice;

    Peers(byte[] alicePsk, byte[] bobPsk) {
        aliceToBob = new PeerHandshake(alice, bob.publicKey(), alicePsk);
        bobToAlice = new PeerHandshake(bob, alice.publicKey(), bobPsk);
    }

    /** Moves both clocks on, past the flood limit and the timestamp whitening. */
    void advance(long millis) {
        wall.updateAndGet(t -> t.plusMillis(millis));
        nanos.addAndGet(millis * 1_000_000L);
    }

    PeerHandshake bobLookup(byte[] key) {
        return bobToAlice.hasRemoteStatic(key) ? bobToAlice : null;
    }

    private InstantSource clock() {
        return wall::get;
    }
}
