package io.dwcp.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What every per-block benchmark shares: one operation is one {@link #BLOCK} of 1 MiB (so bytes/s =
 * ops/s × 1,048,576), throughput per second, one fork with the JVM flags of the product, and run lengths
 * sized for a small shared machine. JMH inherits these annotations; {@code bench/jmh.sh} may override them.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_MODULES, BenchJvm.VECTOR, BenchJvm.NATIVE_ACCESS})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class BlockBenchmark {
    /** Bytes per operation. */
    public static final int BLOCK = 1 << 20;
}
