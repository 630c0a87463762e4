package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Free space promised to the transfers in flight, server-wide. An offer is admitted only when the bytes it
 * will certainly write fit in the root's usable space less what admitted transfers still have to write, so
 * two offers never count the same free bytes, and a transfer bound to run out of space is refused before it
 * writes anything. What a transfer writes comes off its claim as it goes (the file system's usable space
 * drops by as much); the claim ends with the transfer.
 *
 * <p>"Certainly" is a lower bound: only files the root does not have yet are counted. A file with an older
 * version there may turn out identical and need nothing, so an identical resend is never refused for space
 * it would not use.
 */
public final class SpaceLedger {
    /** The usable bytes of the file store the root is on. */
    @FunctionalInterface
    public interface UsableSpace {
        long bytes() throws IOException;
    }

    /** One admitted transfer's promise: the bytes it has yet to write. */
    public static final class Claim {
        private final AtomicLong left;

        private Claim(long bytes) {
            this.left = new AtomicLong(bytes);
        }

        /** {@code n} of the promised bytes are now on the file system. */
        public void wrote(long n) {
            left.addAndGet(-n);
        }

        long left() {
            return Math.max(0, left.get());
        }
    }

    private final UsableSpace usable;
    private final Set<Claim> claims = ConcurrentHashMap.newKeySet();

    public SpaceLedger(UsableSpace usable) {
        this.usable = usable;
    }

    /**
     * Admits a transfer that will write {@code need} bytes, or throws a LIMIT error saying how much was needed,
     * free, and promised to others.
     */
    public synchronized Claim claim(long need) throws DwcpException {
        admit(need);
        Claim c = new Claim(need);
        claims.add(c);
        return c;
    }

    /**
     * The transfer offered more (the next batch of a streamed file list): {@code more} bytes join its claim, or a
     * LIMIT error as {@link #claim} gives.
     */
    public synchronized void grow(Claim c, long more) throws DwcpException {
        admit(more);
        c.left.addAndGet(more);
    }

    /** Throws unless {@code need} more bytes fit in what is free less what admitted transfers still have to write. */
    private void admit(long need) throws DwcpException {
        long free;
        try {
            free = usable.bytes();
        } catch (java.nio.file.NoSuchFileException e) {
            // The JDK's message is the path alone: say what it means (the root was removed under the server).
            throw new DwcpException(ErrorCode.IO, "reason=root-missing root=\"" + e.getFile() + "\"");
        } catch (IOException e) {
            throw new DwcpException(ErrorCode.IO, "reason=free-space-unknown detail=\"" + e.getMessage() + "\"");
        }
        long promised = 0;
        for (Claim c : claims) {
            promised += c.left();
        }
        if (need > free - promised) {
            throw new DwcpException(ErrorCode.LIMIT, "reason=insufficient-space need=" + need + " free=" + free
                    + " promised=" + promised);
        }
    }

    /** The transfer ended: what it did not write is free for others again. */
    public void release(Claim c) {
        claims.remove(c);
    }
}
