package dev.peft4j.bench;

import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.reference.ReferenceBackend;
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
 * Each kernel on the Vector-API backend and on the reference backend, at MiniLM sizes scaled down so the
 * reference finishes quickly: 256 tokens (2 × 128) × 384 hidden, 12 heads, LoRA r = 8, adapter m = 24.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class KernelsVsReferenceBenchmark {
    @Param({"cpu", "reference"})
    public String backend;

    private static final int B = 2, T = 128, N = B * T, D = 384, H = 12, R = 8, M = 24, L = 30;

    private Backend be;
    private Tensor x, w, bias, a, b, y, u, dy, dx, dw, dA, dB;
    private Tensor gamma, beta, mean, rstd, wd, wu, z, pk, pv, lse, q3, out3;

    @Setup(Level.Trial)
    public void setUp() {
        be = backend.equals("cpu") ? new CpuBackend() : new ReferenceBackend();
        x = BenchData.uniform(1, N, D);
        w = BenchData.uniform(2, D, D);
        bias = BenchData.uniform(3, D);
        a = BenchData.uniform(4, R, D);
        b = BenchData.uniform(5, D, R);
        y = Tensor.zeros(N, D);
        u = Tensor.zeros(N, R);
        dy = BenchData.uniform(6, N, D);
        dx = Tensor.zeros(N, D);
        dw = Tensor.zeros(D, D);
        dA = Tensor.zeros(R, D);
        dB = Tensor.zeros(D, R);
        gamma = BenchData.uniform(7, D);
        beta = BenchData.uniform(8, D);
        mean = Tensor.zeros(N);
        rstd = Tensor.zeros(N);
        wd = BenchData.uniform(9, M, D);
        wu = BenchData.uniform(10, D, M);
        z = Tensor.zeros(N, M);
        pk = BenchData.uniform(11, L, D);
        pv = BenchData.uniform(12, L, D);
        lse = Tensor.zeros(B, H, T);
        q3 = x.view(B, T, D);
        out3 = Tensor.zeros(B, T, D);
    }

    @Benchmark public Tensor linearForward() { be.linearForward(x, w, bias, y); return y; }

    @Benchmark public Tensor linearBackward() { be.linearBackward(dy, x, w, dx, dw, null); return dw; }

    @Benchmark public Tensor loraForward() { be.loraForward(x, w, bias, a, b, 2f, null, y, u); return y; }

    @Benchmark public Tensor loraBackward() {
        be.loraBackward(dy, x, w, a, b, u, 2f, null, dx, dA, dB);
        return dx;
    }

    @Benchmark public Tensor adapterForward() {
        be.adapterForward(x, x, new AdapterWeights(wd, null, wu, null, Activation.RELU, 1f), y, z);
        return y;
    }

    @Benchmark public Tensor layerNorm() { be.layerNormForward(x, gamma, beta, 1e-12f, y, mean, rstd); return y; }

    @Benchmark public Tensor gelu() { be.activationForward(Activation.GELU, x, y); return y; }

    @Benchmark public Tensor softmax() { be.softmaxForward(x, y); return y; }

    @Benchmark public Tensor attentionWithPrefix() {
        be.attentionForward(new AttentionInputs(q3, q3, q3, pk, pv, null, false, H), out3, lse);
        return out3;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        be.close();
    }
}
