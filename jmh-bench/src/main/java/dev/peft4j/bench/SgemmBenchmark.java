package dev.peft4j.bench;

import dev.peft4j.backend.Backend;
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
 * C[m,n] = A[m,k]·B[n,k]ᵀ at the MiniLM shapes (x Wᵀ), on 1 and 2 threads. GFLOP/s = 2·m·n·k / (ms · 1e6).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class SgemmBenchmark {
    @Param({"2048x384x384", "2048x1536x384", "2048x384x1536"})
    public String mnk;

    @Param({"1", "2"})
    public int threads;

    private Backend cpu;
    private Tensor a;
    private Tensor b;
    private Tensor c;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = mnk.split("x");
        int m = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), k = Integer.parseInt(p[2]);
        cpu = new CpuBackend(threads);
        a = BenchData.uniform(1, m, k);
        b = BenchData.uniform(2, n, k);
        c = Tensor.zeros(m, n);
        System.out.println("# cpu backend: " + CpuBackend.vectorDescription() + ", flops per op = " + 2.0 * m * n * k);
    }

    @Benchmark
    public Tensor sgemm() {
        cpu.gemm(a, false, b, true, c, 1f, 0f);
        return c;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
    }
}
