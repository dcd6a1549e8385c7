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
 * The fused LoRA linear (one augmented-K GEMM) against the base GEMM alone and against the unfused sequence
 * (base linear, u = x Aᵀ, then y += s·u Bᵀ as a second GEMM with β = 1), N = 2048, in = out = 384; and the LoRA
 * backward against the frozen linear's backward (dx only).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class LoraFusionBenchmark {
    @Param({"8", "16", "64"})
    public int r;

    @Param({"1"})
    public int threads;

    private static final int N = 2048;
    private static final int D = 384;

    private CpuBackend cpu;
    private Tensor x, w, bias, a, b, y, u, dy, dx, dA, dB;

    @Setup(Level.Trial)
    public void setUp() {
        cpu = new CpuBackend(threads);
        x = BenchData.uniform(1, N, D);
        w = BenchData.uniform(2, D, D);
        bias = BenchData.uniform(3, D);
        a = BenchData.uniform(4, r, D);
        b = BenchData.uniform(5, D, r);
        y = Tensor.zeros(N, D);
        u = Tensor.zeros(N, r);
        dy = BenchData.uniform(6, N, D);
        dx = Tensor.zeros(N, D);
        dA = Tensor.zeros(r, D);
        dB = Tensor.zeros(D, r);
    }

    @Benchmark
    public Tensor baseGemmOnly() {
        cpu.linearForward(x, w, bias, y);
        return y;
    }

    @Benchmark
    public Tensor fusedLora() {
        cpu.loraForward(x, w, bias, a, b, 2f, null, y, u);
        return y;
    }

    @Benchmark
    public Tensor unfusedLora() {
        cpu.linearForward(x, w, bias, y);
        cpu.gemm(x, false, a, true, u, 1f, 0f);
        cpu.gemm(u, false, b, true, y, 2f, 1f);
        return y;
    }

    /** The frozen base linear's backward: dx = dy W only (no dW, no db). */
    @Benchmark
    public Tensor frozenLinearBackward() {
        cpu.linearBackward(dy, x, w, dx, null, null);
        return dx;
    }

    /** LoRA backward (no dropout mask): dx = [dy, s·dy B]·[W; A], dA, dB. */
    @Benchmark
    public Tensor loraBackward() {
        cpu.loraBackward(dy, x, w, a, b, u, 2f, null, dx, dA, dB);
        return dx;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
    }
}
