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
 * linearForward y = x Wᵀ + b with a frozen W [out, in] packed on every call ({@code prepared = false}) or once
 * by {@code Backend.prepare(w)} ({@code prepared = true}); compare the two in one run. Packing W costs
 * O(in·out) per call against O(N·in·out) of arithmetic, so the gain is largest for few rows (N = 1 or 8 tokens
 * at inference); MiniLM/BERT-base sizes: 384 × 384 and 768 × 3072 (FFN up-projection).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class PreparedWeightBenchmark {
    @Param({"false", "true"})
    public boolean prepared;

    @Param({"1", "8", "256"})
    public int rows;

    @Param({"384x384", "768x3072"})
    public String inXout;

    private CpuBackend be;
    private Tensor x, w, bias, y;

    @Setup(Level.Trial)
    public void setUp() {
        int in = Integer.parseInt(inXout.substring(0, inXout.indexOf('x')));
        int out = Integer.parseInt(inXout.substring(inXout.indexOf('x') + 1));
        be = new CpuBackend();
        x = BenchData.uniform(1, rows, in);
        w = BenchData.uniform(2, out, in);
        bias = BenchData.uniform(3, out);
        y = Tensor.zeros(rows, out);
        if (prepared) {
            be.prepare(w);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        be.close();
    }

    @Benchmark public Tensor linearForward() { be.linearForward(x, w, bias, y); return y; }
}
