package io.dwcp.wireguard.noise;

import io.dwcp.wireguard.crypto.X25519;
import java.util.Arrays;

/**
 * The IKpsk2 token sequences on a {@link SymmetricState}, without WireGuard's framing (types, indices, macs), so they
 * can be checked against generic Noise vectors with any prologue and payload:
 * <pre>
 *   pre-message:  &lt;- s
 *   message 1:    -&gt; e, es, s, ss   + payload
 *   message 2:    &lt;- e, ee, se, psk + payload
 * </pre>
 * Each method fails by returning false/null; a failed read may leave the state half-advanced, so callers read on a
 * copy and commit it only on success.
 */
final class HandshakeCore {

    static final int KEY = X25519.KEY_LENGTH;
    static final int TAG = 16;

    private HandshakeCore() {
    }

    /**
     * Writes message 1 (e || enc(s) || enc(payload)) at {@code out[off]}. {@code staticStatic} is DH(s, rs). False if
     * a DH result is zero.
     */
    static boolean writeInitiation(SymmetricState st, byte[] ePriv, byte[] remoteStatic, byte[] localStaticPub,
            byte[] staticStatic, byte[] payload, byte[] out, int off) {
        byte[] ePub = X25519.publicKey(ePriv);
        System.arraycopy(ePub, 0, out, off, KEY);
        st.mixHash(ePub);
        st.mixKeyOnly(ePub);
        byte[] es = X25519.sharedSecret(ePriv, remoteStatic);
        if (es == null || X25519.isZero(staticStatic)) {
            return false;
        }
        st.encryptAndHash(mixKeyWiping(st, es), localStaticPub, out, off + KEY);
        st.encryptAndHash(st.mixKey(staticStatic), payload, out, off + KEY + KEY + TAG);
        return true;
    }

    /** Reads e, es, s of message 1 at {@code in[off]}; returns the initiator's static key, or null if forged. */
    static byte[] readInitiationStatic(SymmetricState st, byte[] localStaticPriv, byte[] in, int off) {
        byte[] ePub = Arrays.copyOfRange(in, off, off + KEY);
        st.mixHash(ePub);
        st.mixKeyOnly(ePub);
        byte[] es = X25519.sharedSecret(localStaticPriv, ePub);
        if (es == null) {
            return null;
        }
        return st.decryptAndHash(mixKeyWiping(st, es), in, off + KEY, KEY + TAG);
    }

    /** Reads ss and the payload of message 1 ({@code payloadLength} plaintext bytes); null if forged. */
    static byte[] readInitiationPayload(SymmetricState st, byte[] staticStatic, byte[] in, int off,
            int payloadLength) {
        if (X25519.isZero(staticStatic)) {
            return null;
        }
        return st.decryptAndHash(st.mixKey(staticStatic), in, off + KEY + KEY + TAG, payloadLength + TAG);
    }

    /** Writes message 2 (e || enc(payload)) at {@code out[off]}; false if a DH result is zero. */
    static boolean writeResponse(SymmetricState st, byte[] ePriv, byte[] remoteEphemeral, byte[] remoteStatic,
            byte[] psk, byte[] payload, byte[] out, int off) {
        byte[] ePub = X25519.publicKey(ePriv);
        System.arraycopy(ePub, 0, out, off, KEY);
        st.mixHash(ePub);
        st.mixKeyOnly(ePub);
        byte[] ee = X25519.sharedSecret(ePriv, remoteEphemeral);
        byte[] se = X25519.sharedSecret(ePriv, remoteStatic);
        if (ee == null || se == null) {
            return false;
        }
        st.mixKeyOnly(ee);
        st.mixKeyOnly(se);
        Arrays.fill(ee, (byte) 0);
        Arrays.fill(se, (byte) 0);
        st.encryptAndHash(st.mixKeyAndHash(psk), payload, out, off + KEY);
        return true;
    }

    /** Reads message 2 at {@code in[off]}; returns the payload, or null if forged or keyed with another psk. */
    static byte[] readResponse(SymmetricState st, byte[] localEphemeralPriv, byte[] localStaticPriv, byte[] psk,
            byte[] in, int off, int payloadLength) {
        byte[] ePub = Arrays.copyOfRange(in, off, off + KEY);
        st.mixHash(ePub);
        st.mixKeyOnly(ePub);
        byte[] ee = X25519.sharedSecret(localEphemeralPriv, ePub);
        byte[] se = X25519.sharedSecret(localStaticPriv, ePub);
        if (ee == null || se == null) {
            return null;
        }
        st.mixKeyOnly(ee);
        st.mixKeyOnly(se);
        Arrays.fill(ee, (byte) 0);
        Arrays.fill(se, (byte) 0);
        return st.decryptAndHash(st.mixKeyAndHash(psk), in, off + KEY, payloadLength + TAG);
    }

    private static byte[] mixKeyWiping(SymmetricState st, byte[] dh) {
        byte[] key = st.mixKey(dh);
        Arrays.fill(dh, (byte) 0);
        return key;
    }
}
