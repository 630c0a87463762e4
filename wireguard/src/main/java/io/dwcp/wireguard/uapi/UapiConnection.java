package io.dwcp.wireguard.uapi;

import io.dwcp.core.Log;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * Serves the requests of one client connection until it closes, as wireguard-go's IpcHandle does: any number of
 * get and set requests in sequence; an unknown operation line closes the connection without a reply. Unlike
 * wireguard-go, a set is parsed whole before anything is applied (a bad line rejects the transaction, and the
 * rest of it is still read so the connection stays in step), and a set cut short by end of stream is not applied.
 */
final class UapiConnection {
    /** Longest accepted line in bytes; real lines stay under 100 (an endpoint with an IPv6 zone is the longest). */
    static final int MAX_LINE_BYTES = 4096;
    /** Largest accepted set transaction in bytes: some 100 000 peers with a few allowed IPs each. */
    static final long MAX_SET_BYTES = 32L << 20;

    private static final Log LOG = Log.of("uapi");

    private final UapiDevice device;
    private final ReadWriteLock lock;
    private final String name;

    UapiConnection(UapiDevice device, ReadWriteLock lock, String name) {
        this.device = device;
        this.lock = lock;
        this.name = name;
    }

    /** Serves until end of stream, a protocol violation that cannot be answered, or an I/O error. */
    void serve(InputStream in, OutputStream out) throws IOException {
        LineReader reader = new LineReader(in);
        while (true) {
            String op;
            try {
                op = reader.readLine(MAX_LINE_BYTES);
            } catch (LineReader.TooLongException e) {
                LOG.warn("uapi=" + name + " error=operation line too long, closing");
                return;
            }
            if (op == null) {
                return;
            }
            if (op.equals(UapiProtocol.GET)) {
                int next = reader.read();
                if (next < 0) {
                    return;
                }
                if (next != '\n') {
                    LOG.warn("uapi=" + name + " op=get errno=" + UapiException.EINVAL + " error=trailing character");
                    write(out, UapiProtocol.status(UapiException.EINVAL));
                    continue;
                }
                write(out, get() + UapiProtocol.status(0));
            } else if (op.equals(UapiProtocol.SET)) {
                if (!set(reader, out)) {
                    return;
                }
            } else {
                LOG.warn("uapi=" + name + " error=invalid operation '" + SetParser.printable(op) + "', closing");
                return;
            }
        }
    }

    private String get() {
        lock.readLock().lock();
        try {
            return UapiProtocol.formatGet(device.snapshot());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Reads, parses and applies one transaction and replies; false when the connection must close. */
    private boolean set(LineReader reader, OutputStream out) throws IOException {
        SetParser parser = new SetParser();
        UapiException failure = null;
        long bytes = 0;
        while (true) {
            String line;
            try {
                line = reader.readLine(MAX_LINE_BYTES);
            } catch (LineReader.TooLongException e) {
                return refuse(out, e.getMessage());
            }
            if (line == null) {
                LOG.warn("uapi=" + name + " op=set error=end of stream inside the transaction, nothing applied");
                return false;
            }
            bytes += line.length() + 1;
            if (bytes > MAX_SET_BYTES) {
                return refuse(out, "error=set transaction longer than " + MAX_SET_BYTES + " bytes");
            }
            if (line.isEmpty()) {
                break;
            }
            if (failure == null) {
                try {
                    parser.line(line);
                } catch (UapiException e) {
                    failure = e;
                }
            }
        }
        int errno = failure == null ? apply(parser.finish()) : failure.errno();
        if (failure != null) {
            LOG.warn("uapi=" + name + " op=set errno=" + errno + " " + failure.getMessage());
        }
        write(out, UapiProtocol.status(errno));
        return true;
    }

    private int apply(ConfigChange change) {
        lock.writeLock().lock();
        try {
            device.apply(change);
            return 0;
        } catch (UapiException e) {
            LOG.warn("uapi=" + name + " op=set errno=" + e.errno() + " " + e.getMessage());
            return e.errno();
        } catch (RuntimeException e) {
            // A device bug must not kill the socket; the client gets wireguard-go's "unknown error" errno.
            LOG.error("uapi=" + name + " op=set errno=" + UapiException.ENOANO + " error=device failed: " + e);
            return UapiException.ENOANO;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private boolean refuse(OutputStream out, String why) throws IOException {
        LOG.warn("uapi=" + name + " op=set errno=" + UapiException.EIO + " " + why + ", closing");
        write(out, UapiProtocol.status(UapiException.EIO));
        return false;
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }
}
