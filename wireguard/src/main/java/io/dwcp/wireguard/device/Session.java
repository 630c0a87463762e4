package io.dwcp.wireguard.device;

import io.dwcp.wireguard.noise.Keypair;

/** A keypair and the peer it belongs to: what a receiver index names once a handshake has completed. */
record Session(Peer peer, Keypair keypair) {
}
