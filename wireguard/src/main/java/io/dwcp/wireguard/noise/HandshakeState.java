package io.dwcp.wireguard.noise;

/** Where a peer's handshake stands, as in wireguard-go. */
public enum HandshakeState {
    /** No handshake in progress (also after a session was derived). */
    ZEROED,
    /** We sent an initiation and await the response. */
    INITIATION_CREATED,
    /** We received an initiation and may respond. */
    INITIATION_CONSUMED,
    /** We responded; the session can be derived (responder side). */
    RESPONSE_CREATED,
    /** We received the response; the session can be derived (initiator side). */
    RESPONSE_CONSUMED
}
