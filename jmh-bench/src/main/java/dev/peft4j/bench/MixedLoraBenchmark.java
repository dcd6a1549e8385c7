package dev.peft4j.bench;

import dev.peft4j.cpu.CpuBackend;
import dev.peft4j.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What serving k LoRA adapters in one batch costs, N = 2048 rows, in = out = 384, rank r: the mixed forward (base
 * linear, then {@code loraMixedForward}, the adapters taken in turn by runs of {@code run} consecutive rows: 1, every
 * row its own; 128, sequences of 128 tokens) against the base linear
 * alone and against the fused LoRA forward of a single adapter over the whole batch (what one-adapter serving pays);
 * and the mixed LoRA term by itself.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class MixedLoraBenchmark {
    @Param({"16"})
    public int r;

    @Param({"4"})
    public int adapters;

    @Param({"1"})
    public int threads;

    @Param({"1", "128"})
    public int run;

    private static final int N = 2048;
    private static final int D = 384;

    private CpuBackend cpu;
    private Tensor x, w, bias, a, b, stackedA, stackedB, scales, y, u;
    private int[] adapterOfRow;

    @Setup(Level.Trial)
    public void setUp() {
        cpu = new CpuBackend(threads);
        x = BenchData.uniform(1, N, D);
        w = BenchData.uniform(2, D, D);
        bias = BenchData.uniform(3, D);
        a = BenchData.uniform(4, r, D);
        b = BenchData.uniform(5, D, r);
        stackedA = BenchData.uniform(6, adapters, r, D);
        stackedB = BenchData.uniform(7, adapters, D, r);
        scales = BenchData.uniform(8, adapters);
        y = Tensor.zeros(N, D);
        u = Tensor.zeros(N, r);
        adapterOfRow = new int[N];
        for (int i = 0; i < N; i++) {
            adapterOfRow[i] = i / run % adapters;
        }
    }

    @Benchmark
    public Tensor baseLinearOnly() {
        cpu.linearForward(x, w, bias, y);
        return y;
    }

    @Benchmark
    public Tensor oneAdapterFused() {
        cpu.loraForward(x, w, bias, a, b, 2f, null, y, u);
        return y;
    }

    @Benchmark
    public Tensor mixedAdapters() {
        cpu.linearForward(x, w, bias, y);
        cpu.loraMixedForward(x, stackedA, stackedB, scales, adapterOfRow, y);
        return y;
    }

    /** The SGMV term alone, y += s_α·(x A_αᵀ) B_αᵀ per row: 2·N·r·(in + out) FLOP. */
    @Benchmark
    public Tensor mixedTermOnly() {
        cpu.loraMixedForward(x, stackedA, stackedB, scales, adapterOfRow, y);
        return y;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
    }
}
