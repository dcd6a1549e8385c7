package dev.peft4j.bench;

import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.backend.Activation;
import dev.peft4j.cpu.CpuBackend;
import dev.peft4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * The CPU backend's inference kernels on the same data held three ways: tensors the library allocated
 * ({@code owned}), {@code Tensor.wrap(float[], offset, shape)} ranges of one larger caller array ({@code array},
 * zero-copy), and {@code Tensor.wrap(MemorySegment, shape)} slices of one shared off-heap segment ({@code segment},
 * read and written in place by these kernels; their small operands staged). The ratio to {@code owned} and {@code
 * array} in one run is the cost of each way. Sizes: 256
 * tokens (2 × 128) × 384 hidden, 12 heads, LoRA r = 8.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class WrappedTensorBenchmark {
    @Param({"owned", "array", "segment"})
    public String placement;

    private static final int B = 2, T = 128, N = B * T, D = 384, H = 12, R = 8;

    private CpuBackend be;
    private Arena arena;
    private Tensor x, w, bias, a, b, y, gamma, beta, mean, rstd, q3, out3, lse;

    /** Lays tensors one after another (8 floats apart) in one caller array or one off-heap segment. */
    private final class Placer {
        private final float[] array;
        private final MemorySegment segment;
        private int next = 3; // a non-zero start, so every tensor has an offset

        Placer(int floats) {
            array = placement.equals("array") ? new float[floats] : null;
            segment = placement.equals("segment") ? arena.allocate(4L * floats, 64) : null;
        }

        Tensor place(Tensor owned) {
            if (array == null && segment == null) {
                return owned;
            }
            float[] v = owned.toArray();
            int at = next;
            next += v.length + 8;
            if (array != null) {
                System.arraycopy(v, 0, array, at, v.length);
                return Tensor.wrap(array, at, owned.shape());
            }
            MemorySegment.copy(v, 0, segment, ValueLayout.JAVA_FLOAT, 4L * at, v.length);
            return Tensor.wrap(segment.asSlice(4L * at, 4L * v.length), owned.shape());
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        be = new CpuBackend();
        arena = Arena.ofShared();
        Placer p = new Placer(4 * N * D + D * D + 2 * D * R + 6 * D + 2 * N + B * H * T + 200);
        x = p.place(BenchData.uniform(1, N, D));
        w = p.place(BenchData.uniform(2, D, D));
        bias = p.place(BenchData.uniform(3, D));
        a = p.place(BenchData.uniform(4, R, D));
        b = p.place(BenchData.uniform(5, D, R));
        y = p.place(Tensor.zeros(N, D));
        gamma = p.place(BenchData.uniform(7, D));
        beta = p.place(BenchData.uniform(8, D));
        mean = p.place(Tensor.zeros(N));
        rstd = p.place(Tensor.zeros(N));
        lse = p.place(Tensor.zeros(B, H, T));
        Tensor out = p.place(Tensor.zeros(N, D));
        q3 = x.view(B, T, D);
        out3 = out.view(B, T, D);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        be.close();
        arena.close();
    }

    @Benchmark public Tensor linearForward() { be.linearForward(x, w, bias, y); return y; }

    @Benchmark public Tensor loraForwardInference() { be.loraForward(x, w, bias, a, b, 2f, y); return y; }

    @Benchmark public Tensor layerNorm() { be.layerNormForward(x, gamma, beta, 1e-12f, y, mean, rstd); return y; }

    @Benchmark public Tensor gelu() { be.activationForward(Activation.GELU, x, y); return y; }

    @Benchmark public Tensor attentionForward() {
        be.attentionForward(new AttentionInputs(q3, q3, q3, null, null, null, false, H), out3, lse);
        return out3;
    }
}
