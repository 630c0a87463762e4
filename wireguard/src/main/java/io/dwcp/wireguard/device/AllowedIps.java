package io.dwcp.wireguard.device;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Cryptokey routing: the longest-prefix match from an address to the peer that owns it, one binary trie per address
 * family. The same table answers both questions WireGuard asks: which peer an outgoing packet's destination belongs
 * to, and whether an incoming packet's source is one its peer may use.
 *
 * <p>Writers (configuration) take the lock; readers on the data path read the published root without one: a trie
 * is rebuilt and swapped whole on every change, so a reader sees either the old table or the new one. Configuration
 * changes are rare and tables are small, so the copy costs nothing that matters.
 *
 * @param <P> the peer type
 */
public final class AllowedIps<P> {
    private static final class Node<P> {
        Node<P> zero;
        Node<P> one;
        P peer;
    }

    /** One entry: an address prefix and its peer. */
    public record Entry<P>(byte[] address, int prefixLength, P peer) {
    }

    private final List<Entry<P>> entries = new ArrayList<>();
    private volatile Node<P> v4 = new Node<>();
    private volatile Node<P> v6 = new Node<>();

    /** Adds (or moves to {@code peer}) the prefix; host bits are masked off as {@code wg} shows them. */
    public synchronized void insert(byte[] address, int prefixLength, P peer) {
        if (address.length != 4 && address.length != 16 || prefixLength < 0 || prefixLength > address.length * 8) {
            throw new IllegalArgumentException("allowed-ip=invalid length=" + address.length + " prefix=" + prefixLength);
        }
        byte[] masked = mask(address, prefixLength);
        entries.removeIf(e -> e.prefixLength == prefixLength && java.util.Arrays.equals(e.address, masked));
        entries.add(new Entry<>(masked, prefixLength, peer));
        rebuild();
    }

    /** Removes the prefix if {@code peer} owns it. */
    public synchronized void remove(byte[] address, int prefixLength, P peer) {
        byte[] masked = mask(address, prefixLength);
        if (entries.removeIf(e -> e.peer == peer && e.prefixLength == prefixLength
                && java.util.Arrays.equals(e.address, masked))) {
            rebuild();
        }
    }

    /** Removes every prefix of {@code peer}. */
    public synchronized void removePeer(P peer) {
        if (entries.removeIf(e -> e.peer == peer)) {
            rebuild();
        }
    }

    /** Removes everything. */
    public synchronized void clear() {
        entries.clear();
        rebuild();
    }

    /** The prefixes of {@code peer}, in insertion order. */
    public synchronized List<Entry<P>> entriesOf(P peer) {
        List<Entry<P>> out = new ArrayList<>();
        for (Entry<P> e : entries) {
            if (e.peer == peer) {
                out.add(e);
            }
        }
        return out;
    }

    /** The peer owning {@code address} (4 or 16 bytes), or null. */
    public P lookup(byte[] address) {
        Node<P> n = address.length == 4 ? v4 : v6;
        P best = n.peer;
        for (int bit = 0; bit < address.length * 8 && n != null; bit++) {
            n = ((address[bit >>> 3] >>> (7 - (bit & 7))) & 1) == 0 ? n.zero : n.one;
            if (n != null && n.peer != null) {
                best = n.peer;
            }
        }
        return best;
    }

    /**
     * The peer owning the address of {@code length} bytes (4 or 16) at {@code offset} of {@code packet}, or null:
     * the data path's form, reading the address in place.
     */
    public P lookup(MemorySegment packet, long offset, int length) {
        Node<P> n = length == 4 ? v4 : v6;
        P best = n.peer;
        for (int i = 0; i < length && n != null; i++) {
            int b = packet.get(ValueLayout.JAVA_BYTE, offset + i);
            for (int bit = 7; bit >= 0 && n != null; bit--) {
                n = ((b >>> bit) & 1) == 0 ? n.zero : n.one;
                if (n != null && n.peer != null) {
                    best = n.peer;
                }
            }
        }
        return best;
    }

    private void rebuild() {
        Node<P> r4 = new Node<>();
        Node<P> r6 = new Node<>();
        for (Entry<P> e : entries) {
            Node<P> n = e.address.length == 4 ? r4 : r6;
            for (int bit = 0; bit < e.prefixLength; bit++) {
                if (((e.address[bit >>> 3] >>> (7 - (bit & 7))) & 1) == 0) {
                    n = n.zero == null ? (n.zero = new Node<>()) : n.zero;
                } else {
                    n = n.one == null ? (n.one = new Node<>()) : n.one;
                }
            }
            n.peer = e.peer;
        }
        v4 = r4;
        v6 = r6;
    }

    static byte[] mask(byte[] address, int prefixLength) {
        byte[] m = address.clone();
        for (int bit = prefixLength; bit < m.length * 8; bit++) {
            m[bit >>> 3] &= (byte) ~(1 << (7 - (bit & 7)));
        }
        return m;
    }
}
