package io.dwcp.bench.migration;

import io.dwcp.core.digest.Xxh3;
import io.dwcp.core.framestream.FrameStreamConfig;
import io.dwcp.core.framestream.FrameStreamStats;
import io.dwcp.core.framestream.FrameStreamWriter;
import io.dwcp.simd.DeltaKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.BitSet;
import java.util.Locale;

/**
 * Pre-copy live migration of a VM's memory over the frame-stream API, on one machine: the source sends the
 * guest's memory in chunks keyed by chunk index over a loopback TCP socket to a receiver thread that rebuilds
 * each chunk in its own copy. Round 1 sends every chunk (whole: no basis yet, zero pages skipped); meanwhile
 * the guest keeps writing, mostly in its working set, and each later round sends the chunks it dirtied, as
 * XOR deltas against the chunk's previous version. Fewer pages are dirtied each round, as pre-copy converges
 * when rounds get shorter; once a round leaves few dirty pages the guest pauses and the last dirty set goes
 * (stop-and-copy). Prints bytes on the wire per round against the full size of the chunks sent and the dirty
 * pages, then checks that the destination's memory equals the source's.
 *
 * <p>Run: {@code bench/vm-migration.sh [options]} ({@code --help} lists them; defaults: 2 GiB, 2 MiB chunks).
 */
public final class VmMigration {
    private VmMigration() {
    }

    public static void main(String[] args) throws Exception {
        MigrationOptions o;
        try {
            o = MigrationOptions.parse(args);
        } catch (IllegalArgumentException e) {
            boolean help = e.getMessage().equals("help");
            (help ? System.out : System.err).print((help ? "" : "vm-migration: error: " + e.getMessage() + "\n")
                    + MigrationOptions.USAGE);
            System.exit(help ? 0 : 1);
            return;
        }
        System.exit(run(o) ? 0 : 3);
    }

    /** Migrates once and returns whether the destination ended equal to the source. */
    static boolean run(MigrationOptions o) throws Exception {
        System.out.println("vm-migration " + o.describe());
        // A long-lived process, like the server: XXH3 (each cached frame's digest) gets its vector loop compiled
        // now, instead of hashing the first 4 GiB with the scalar loop that short CLI runs are better off with.
        boolean warm = Xxh3.warmUpVectorPath(3000);
        System.out.println("delta_kernel=" + DeltaKernels.get().name() + " xxh3_vector_warm=" + warm + " cpus="
                + Runtime.getRuntime().availableProcessors());
        FrameStreamConfig config = new FrameStreamConfig(o.cacheBytes(), o.chunkBytes(), o.compress());
        try (GuestMemory guest = new GuestMemory(o); Arena arena = Arena.ofShared();
             ServerSocketChannel server = ServerSocketChannel.open()) {
            long t = System.nanoTime();
            guest.fill();
            System.out.println(String.format(Locale.ROOT, "guest filled: %d pages in %d chunks, %.2f s", guest.pages(),
                    guest.chunks(), (System.nanoTime() - t) / 1e9));
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel out = SocketChannel.open(server.getLocalAddress());
            out.setOption(StandardSocketOptions.TCP_NODELAY, true); // the round marker must not wait behind Nagle
            SocketChannel in = server.accept();
            MigrationReceiver receiver = new MigrationReceiver(in, config, o.memoryBytes(), o.chunkBytes());
            Thread destination = new Thread(receiver, "destination");
            destination.start();
            MemorySegment marker = arena.allocate(8);
            RoundTable table = new RoundTable();
            try (out; in; FrameStreamWriter writer = new FrameStreamWriter(out, config)) {
                table.header();
                sendRounds(o, guest, writer, receiver, marker, table);
                writer.finish();
                destination.join();
                MigrationReceiver.Done end = receiver.rounds().take();
                if (end.failure() != null) {
                    throw new IllegalStateException("destination failed", end.failure());
                }
                table.totals();
                System.out.println("destination reader: " + end.stats());
            } finally {
                destination.join();
            }
            return verify(guest.segment(), receiver.memory(), receiver);
        }
    }

    private static void sendRounds(MigrationOptions o, GuestMemory guest, FrameStreamWriter writer,
                                   MigrationReceiver receiver, MemorySegment marker, RoundTable table) throws Exception {
        int[] chunks = java.util.stream.IntStream.range(0, guest.chunks()).toArray();
        long dirtied = guest.pages();
        long writes = (long) (guest.pages() * o.firstDirtyPct() / 100);
        long stopPages = (long) (guest.pages() * o.stopPct() / 100);
        String kind = "full";
        MemorySegment memory = guest.segment();
        for (int round = 1; ; round++) {
            FrameStreamStats before = writer.stats().copy();
            long t0 = System.nanoTime();
            for (int c : chunks) {
                writer.send(c, memory, (long) c * o.chunkBytes(), o.chunkBytes());
            }
            FrameStreamStats sent = writer.stats().minus(before);
            marker.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, round);
            writer.send(MigrationReceiver.ROUND_KEY, marker);
            MigrationReceiver.Done done = receiver.rounds().take();
            if (done.failure() != null || done.round() != round) {
                throw new IllegalStateException("destination failed in round " + round, done.failure());
            }
            table.row(round, kind, dirtied, o.chunkBytes(), sent, (done.nanos() - t0) / 1e9);
            if (kind.equals("stop-copy")) {
                return;
            }
            // The guest ran while the round was copied: what it wrote is the next round's dirty set.
            guest.run(writes);
            writes = Math.max(1, (long) (writes * o.decay()));
            BitSet dirty = guest.takeDirty();
            dirtied = dirty.cardinality();
            chunks = guest.dirtyChunks(dirty);
            kind = dirtied <= stopPages || round + 1 >= o.maxRounds() ? "stop-copy" : "pre-copy";
        }
    }

    private static boolean verify(MemorySegment source, MemorySegment destination, MigrationReceiver receiver) {
        try {
            long t = System.nanoTime();
            long[] a = Xxh3.hash128(source, 0, source.byteSize());
            long[] b = Xxh3.hash128(destination, 0, destination.byteSize());
            boolean equal = a[0] == b[0] && a[1] == b[1] && source.mismatch(destination) == -1;
            System.out.println(String.format(Locale.ROOT, "verify: source xxh3-128=%016x%016x destination=%016x%016x %s"
                    + " (%.2f s)", a[0], a[1], b[0], b[1], equal ? "EQUAL" : "DIFFERENT", (System.nanoTime() - t) / 1e9));
            return equal;
        } finally {
            receiver.close();
        }
    }
}
