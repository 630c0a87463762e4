package io.dwcp.wireguard.device;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The receiver indexes this device hands out: every handshake and every keypair is known to the other side by a
 * random 32-bit index of ours, which the other side puts in each message it sends us. Random rather than counted,
 * so an observer learns nothing from them; looked up on every received packet, so a concurrent map.
 *
 * @param <T> what an index names (a pending handshake's peer, or a keypair)
 */
final class IndexTable<T> {
    private final ConcurrentHashMap<Integer, T> entries = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /** Registers {@code value} under a fresh index and returns the index. */
    int register(T value) {
        while (true) {
            int index = random.nextInt();
            if (entries.putIfAbsent(index, value) == null) {
                return index;
            }
        }
    }

    /** Points an existing index at {@code value} (a handshake's index becomes its keypair's). */
    void replace(int index, T value) {
        entries.put(index, value);
    }

    T lookup(int index) {
        return entries.get(index);
    }

    /** Frees the index if it still names {@code value}. */
    void remove(int index, T value) {
        entries.remove(index, value);
    }

    int size() {
        return entries.size();
    }
}
