package dev.peft4j.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One core's FMA peak: 12 independent accumulator chains of vector FMAs (enough to hide the FMA latency on
 * both pipes), once with 512-bit and once with 256-bit vectors, each counting its own lanes: each operation is one
 * lane FLOP, so "ops/us" ÷ 1000 = GFLOP/s of one core. Read the width the machine prefers (printed at setup); until
 * this split, one method counted 16 lanes whatever the width, which doubled the peak on AVX2 machines.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class FmaPeakBenchmark {
    private static final VectorSpecies<Float> S512 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;
    private static final int ITER = 1 << 16;
    /** FLOPs per invocation: ITER × 12 chains × lanes × 2. */
    private static final int FLOPS_512 = ITER * 12 * 16 * 2;
    private static final int FLOPS_256 = ITER * 12 * 8 * 2;

    float a = 0.999f;
    float b = 1e-3f;

    @Setup
    public void describe() {
        System.out.println("# preferred species: " + FloatVector.SPECIES_PREFERRED + "; read the fmaPeak of that width"
                + " (the other one runs emulated or on half the lanes)");
    }

    /** The peak with 512-bit vectors (AVX-512): score ÷ 1000 = GFLOP/s of one core. */
    @Benchmark
    @OperationsPerInvocation(FLOPS_512)
    public float fmaPeak512() {
        // the species must be a constant in the loop for C2 to emit vector FMAs, hence two copies of the loop
        FloatVector va = FloatVector.broadcast(S512, a), vb = FloatVector.broadcast(S512, b);
        FloatVector c0 = FloatVector.zero(S512), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < ITER; i++) {
            c0 = c0.fma(va, vb); c1 = c1.fma(va, vb); c2 = c2.fma(va, vb); c3 = c3.fma(va, vb);
            c4 = c4.fma(va, vb); c5 = c5.fma(va, vb); c6 = c6.fma(va, vb); c7 = c7.fma(va, vb);
            c8 = c8.fma(va, vb); c9 = c9.fma(va, vb); c10 = c10.fma(va, vb); c11 = c11.fma(va, vb);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    /** The peak with 256-bit vectors (AVX2): score ÷ 1000 = GFLOP/s of one core. */
    @Benchmark
    @OperationsPerInvocation(FLOPS_256)
    public float fmaPeak256() {
        FloatVector va = FloatVector.broadcast(S256, a), vb = FloatVector.broadcast(S256, b);
        FloatVector c0 = FloatVector.zero(S256), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < ITER; i++) {
            c0 = c0.fma(va, vb); c1 = c1.fma(va, vb); c2 = c2.fma(va, vb); c3 = c3.fma(va, vb);
            c4 = c4.fma(va, vb); c5 = c5.fma(va, vb); c6 = c6.fma(va, vb); c7 = c7.fma(va, vb);
            c8 = c8.fma(va, vb); c9 = c9.fma(va, vb); c10 = c10.fma(va, vb); c11 = c11.fma(va, vb);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
