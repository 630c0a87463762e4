package io.dwcp.bench.migration;

import io.dwcp.core.codec.CompressMode;
import java.util.Locale;

/**
 * Settings of the migration model, from {@code --name value} pairs. Every figure has a default that models a
 * busy 2 GiB guest converging in about ten rounds.
 */
record MigrationOptions(long memoryBytes, int chunkBytes, long cacheBytes, long seed, double zeroPct,
                        double compressiblePct, double firstDirtyPct, double decay, double stopPct, int maxRounds,
                        double hotPct, double hotShare, double rewritePct, CompressMode compress) {

    static final String USAGE = """
            usage: VmMigration [--memory-gib 2] [--chunk-kib 2048] [--cache-mib <memory + 1>] [--seed 1]
                               [--zero-pct 15] [--compressible-pct 25] [--first-dirty-pct 4] [--decay 0.5]
                               [--stop-pct 0.05] [--max-rounds 30] [--hot-pct 10] [--hot-share 90]
                               [--rewrite-pct 20] [--compress auto|lz4|off]
              memory: guest memory, filled with seeded pages (zero, compressible, random)
              chunk: the frame, keyed by chunk index; cache: each end's budget of previous frames
              dirty: round 2 rewrites first-dirty-pct of the pages, each later round decay times fewer;
                     hot-share percent of writes land in a working set of hot-pct percent of the chunks;
                     rewrite-pct percent of writes replace a whole page, the rest change a few words
              stop: when a round leaves at most stop-pct percent of the pages dirty, the guest pauses and
                    that last dirty set goes (stop-and-copy)
            """;

    static MigrationOptions parse(String[] args) {
        double memoryGib = 2;
        int chunkKib = 2048;
        long cacheMib = -1;
        long seed = 1;
        double zero = 15;
        double compressible = 25;
        double first = 4;
        double decay = 0.5;
        double stop = 0.05;
        int maxRounds = 30;
        double hot = 10;
        double share = 90;
        double rewrite = 20;
        CompressMode compress = CompressMode.AUTO;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--help") || name.equals("-h")) {
                throw new IllegalArgumentException("help");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option=" + name + " reason=missing-value");
            }
            String v = args[++i];
            switch (name) {
                case "--memory-gib" -> memoryGib = Double.parseDouble(v);
                case "--chunk-kib" -> chunkKib = Integer.parseInt(v);
                case "--cache-mib" -> cacheMib = Long.parseLong(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--zero-pct" -> zero = Double.parseDouble(v);
                case "--compressible-pct" -> compressible = Double.parseDouble(v);
                case "--first-dirty-pct" -> first = Double.parseDouble(v);
                case "--decay" -> decay = Double.parseDouble(v);
                case "--stop-pct" -> stop = Double.parseDouble(v);
                case "--max-rounds" -> maxRounds = Integer.parseInt(v);
                case "--hot-pct" -> hot = Double.parseDouble(v);
                case "--hot-share" -> share = Double.parseDouble(v);
                case "--rewrite-pct" -> rewrite = Double.parseDouble(v);
                case "--compress" -> compress = CompressMode.parse(v);
                default -> throw new IllegalArgumentException("option=" + name + " reason=unknown");
            }
        }
        long chunk = chunkKib * 1024L;
        if (chunkKib < 4 || chunkKib % 4 != 0 || chunk > (1 << 30)) {
            throw new IllegalArgumentException("chunk_kib=" + chunkKib + " reason=not-a-page-multiple-up-to-1-gib");
        }
        long memory = (long) (memoryGib * (1L << 30)) / chunk * chunk;
        if (memory < chunk) {
            throw new IllegalArgumentException("memory_gib=" + memoryGib + " reason=smaller-than-a-chunk");
        }
        // By default every chunk stays cached, plus room for the 8-byte round marker (one page) and to spare.
        long cache = cacheMib < 0 ? memory + (1 << 20) : cacheMib << 20;
        if (decay <= 0 || decay >= 1 || maxRounds < 2) {
            throw new IllegalArgumentException("decay=" + decay + " max_rounds=" + maxRounds
                    + " reason=need-0<decay<1-and-2-rounds");
        }
        return new MigrationOptions(memory, (int) chunk, cache, seed, zero, compressible, first, decay, stop, maxRounds,
                hot, share, rewrite, compress);
    }

    String describe() {
        return String.format(Locale.ROOT, "memory=%d MiB chunk=%d KiB cache=%d MiB per end seed=%d zero_pages=%.0f%% "
                        + "compressible_pages=%.0f%% first_dirty=%.2f%% decay=%.2f stop=%.3f%% hot_set=%.0f%% of chunks "
                        + "hot_share=%.0f%% page_rewrites=%.0f%% compress=%s",
                memoryBytes >> 20, chunkBytes >> 10, cacheBytes >> 20, seed, zeroPct, compressiblePct, firstDirtyPct,
                decay, stopPct, hotPct, hotShare, rewritePct, compress.name().toLowerCase(Locale.ROOT));
    }
}
