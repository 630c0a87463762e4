package io.dwcp.bench.e2e;

import java.nio.file.Path;

/** Where things live during a run: sources, one destination directory per tool, logs and client output. */
record BenchContext(BenchOptions options, Path repo, Path work) {
    Path sources() { return work.resolve("src"); }
    Path destinations() { return work.resolve("dst"); }
    Path logs() { return work.resolve("logs"); }
    Path out() { return work.resolve("out"); }

    Path destDir(String tool) {
        return destinations().resolve(tool);
    }

    /** A file for a run's stdout/stderr/etc., named after workload, tool and round. */
    Path outFile(Workload w, String tool, String round, String suffix) {
        return out().resolve(w.name() + "." + tool + "." + round + "." + suffix);
    }
}
