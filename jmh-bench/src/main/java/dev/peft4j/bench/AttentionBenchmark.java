package dev.peft4j.bench;

import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
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
 * One MiniLM layer's attention (B = 16, T = 128, 12 heads × 32, a padding mask with the last {@code maskedKeys}
 * keys of every row masked) forward and backward, with prefix length 0 (plain) or 30; the prefix/plain ratio is
 * the target. Forward FLOPs ≈ 4·B·H·T·(L+T−maskedKeys)·dh (the CPU backend skips masked keys),
 * backward ≈ 2.5× that. maskedKeys = 0 is the unpadded case, where skipping masked keys gains nothing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class AttentionBenchmark {
    private static final int B = 16, T = 128, H = 12, D = 384;

    @Param({"0", "30"})
    public int prefix;

    @Param({"2"})
    public int threads;

    @Param({"32", "0"})
    public int maskedKeys;

    private CpuBackend cpu;
    private Tensor q, k, v, pk, pv, mask, out, lse, dOut, dq, dk, dv, dpk, dpv;

    @Setup(Level.Trial)
    public void setUp() {
        cpu = new CpuBackend(threads);
        q = BenchData.uniform(1, B, T, D);
        k = BenchData.uniform(2, B, T, D);
        v = BenchData.uniform(3, B, T, D);
        pk = prefix == 0 ? null : BenchData.uniform(4, prefix, D);
        pv = prefix == 0 ? null : BenchData.uniform(5, prefix, D);
        float[] m = new float[B * T];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                m[b * T + t] = t < T - maskedKeys ? 1f : 0f;
            }
        }
        mask = Tensor.of(m, B, T);
        out = Tensor.zeros(B, T, D);
        lse = Tensor.zeros(B, H, T);
        dOut = BenchData.uniform(6, B, T, D);
        dq = Tensor.zeros(B, T, D);
        dk = Tensor.zeros(B, T, D);
        dv = Tensor.zeros(B, T, D);
        dpk = prefix == 0 ? null : Tensor.zeros(prefix, D);
        dpv = prefix == 0 ? null : Tensor.zeros(prefix, D);
        cpu.attentionForward(new AttentionInputs(q, k, v, pk, pv, mask, false, H), out, lse);
    }

    @Benchmark
    public Tensor forward() {
        cpu.attentionForward(new AttentionInputs(q, k, v, pk, pv, mask, false, H), out, lse);
        return out;
    }

    @Benchmark
    public Tensor backward() {
        cpu.attentionBackward(dOut, new AttentionInputs(q, k, v, pk, pv, mask, false, H), out, lse, AttentionGradients.none().withDq(dq).withDk(dk).withDv(dv).withPrefixGradients(dpk, dpv));
        return dq;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
    }
}
