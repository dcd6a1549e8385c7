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
 * C[m,n] = A[m,k]·B[n,k]ᵀ at the MiniLM shapes (x Wᵀ), on 1 and 2 threads, by peft4j's CPU backend and by
 * OpenBLAS (cblas_sgemm through JavaCPP's preset, on off-heap copies of the same data, its thread count set to the
 * same). GFLOP/s = 2·m·n·k / (ms · 1e6). OpenBLAS picks its kernel for the CPU it detects at load time; pin it with
 * the environment variable OPENBLAS_CORETYPE (jmh-bench/run-benchmarks.sh sets SKYLAKEX, the AVX-512 kernels, on a
 * CPU with AVX-512F unless it is already set: bin/openblas-coretype); the core in use is printed at setup.
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

    @Param({"peft4j", "openblas"})
    public String impl;

    private Backend cpu;
    private OpenBlasGemm blas;
    private Tensor a;
    private Tensor b;
    private Tensor c;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = mnk.split("x");
        int m = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), k = Integer.parseInt(p[2]);
        a = BenchData.uniform(1, m, k);
        b = BenchData.uniform(2, n, k);
        c = Tensor.zeros(m, n);
        if (impl.equals("openblas")) {
            blas = new OpenBlasGemm(a.data(), b.data(), m, n, k, threads);
            System.out.println("# " + blas.describe() + ", flops per op = " + 2.0 * m * n * k);
        } else {
            cpu = new CpuBackend(threads);
            System.out.println("# cpu backend: " + CpuBackend.vectorDescription() + ", flops per op = " + 2.0 * m * n * k);
        }
    }

    @Benchmark
    public Object sgemm() {
        if (blas != null) {
            return blas.multiply();
        }
        cpu.gemm(a, false, b, true, c, 1f, 0f);
        return c;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (cpu != null) {
            cpu.close();
        }
        if (blas != null) {
            blas.close();
        }
    }
}
