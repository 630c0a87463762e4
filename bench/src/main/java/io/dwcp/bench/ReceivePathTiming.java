package io.dwcp.bench;

import io.dwcp.zerocopy.DataListener;
import io.dwcp.zerocopy.DataSocket;
import io.dwcp.zerocopy.MappedRegion;
import io.dwcp.zerocopy.linux.NativeFile;
import io.dwcp.zerocopy.linux.NativeSockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A rough side-by-side of the receive paths: 1 GiB over loopback from a tmpfs file by sendfile, into a fresh
 * tmpfs file each time, by splice, by recv into a mapping of the file, and by recv then pwrite; three rounds.
 * Run: {@code bench/receive-paths.sh}.
 */
public final class ReceivePathTiming {
    private static final long SIZE = 1L << 30;
    private static final int CHUNK = 1 << 20;

    private ReceivePathTiming() {
    }

    public static void main(String[] args) throws Exception {
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "dwcp-zc-timing")
                : Files.createTempDirectory("dwcp-zc-timing");
        try {
            Path src = dir.resolve("src");
            try (Arena a = Arena.ofConfined(); NativeFile f = NativeFile.open(src, true, true)) {
                MemorySegment b = a.allocate(CHUNK);
                for (long off = 0; off < SIZE; off += CHUNK) {
                    b.fill((byte) off);
                    f.writeFully(b, 0, CHUNK, off);
                }
            }
            for (int round = 0; round < 3; round++) {
                for (String how : new String[] {"splice", "mapped-recv", "recv+pwrite"}) {
                    Path dst = dir.resolve("dst");
                    long ns = run(how, src, dst);
                    Files.delete(dst);
                    System.out.printf(Locale.ROOT, "round=%d receive=%s seconds=%.3f gbit_per_s=%.1f%n", round, how,
                            ns / 1e9, SIZE * 8 / (ns / 1e9) / 1e9);
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static long run(String how, Path src, Path dst) throws Exception {
        NativeSockets n = new NativeSockets(true, how.equals("splice"));
        try (DataListener l = n.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                DataSocket out = n.connect(l.localAddress(), 5000);
                DataSocket in = l.accept();
                NativeFile source = NativeFile.open(src, false, false);
                NativeFile target = NativeFile.open(dst, true, true)) {
            long t0 = System.nanoTime();
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    out.transferFromFile(source, 0, SIZE);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            if (how.equals("mapped-recv")) {
                target.reserve(0, SIZE, false);
                try (MappedRegion m = target.map(0, SIZE, true)) {
                    m.advise(MappedRegion.Advice.SEQUENTIAL);
                    for (long off = 0; off < SIZE; off += CHUNK) {
                        in.readFully(m.segment(), off, CHUNK);
                    }
                }
            } else {
                for (long off = 0; off < SIZE; off += CHUNK) {
                    in.receiveToFile(target, off, CHUNK);
                }
            }
            sending.get();
            return System.nanoTime() - t0;
        }
    }
}
