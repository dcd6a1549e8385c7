package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.peft4j.tensor.Tensor;
import java.lang.management.ManagementFactory;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SgemmTest extends KernelTestBase {

    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @CsvSource({"1,1,1", "7,33,5", "127,1,384", "13,8,100", "50,49,300", "97,113,257", "6,48,256", "12,16,513",
        "130,200,70", "1,384,33", "384,7,1",
        // k split into equal blocks (449 → 225 + 224; 1537 → 4 blocks), n over one NC column block (1536)
        "9,50,449", "8,20,1537", "20,1600,10"})
    void everyTransposeMatchesReference(int m, int n, int k) {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor a = ta ? rnd.uniform(k, m) : rnd.uniform(m, k);
                Tensor b = tb ? rnd.uniform(n, k) : rnd.uniform(k, n);
                Tensor c = poisoned(m, n);
                Tensor ref = zeros(m, n);
                CPU.gemm(a, ta, b, tb, c, 0.75f, 0f);
                REF.gemm(a, ta, b, tb, ref, 0.75f, 0f);
                close("gemm ta=" + ta + " tb=" + tb, c, ref);
            }
        }
    }

    @ParameterizedTest(name = "beta={0}")
    @CsvSource({"1.0", "-0.5"})
    void betaReadsC(float beta) {
        Tensor a = rnd.uniform(37, 29);
        Tensor b = rnd.uniform(41, 29);
        Tensor c0 = rnd.uniform(37, 41);
        Tensor c = copyOf(c0);
        Tensor ref = copyOf(c0);
        CPU.gemm(a, false, b, true, c, 1.25f, beta);
        REF.gemm(a, false, b, true, ref, 1.25f, beta);
        close("gemm beta", c, ref);
    }

    @ParameterizedTest(name = "batch={0} m={1} n={2} k={3}")
    @CsvSource({"3,7,9,11", "2,33,17,64", "1,5,5,5"})
    void batchedRank3(int batch, int m, int n, int k) {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor a = ta ? rnd.uniform(batch, k, m) : rnd.uniform(batch, m, k);
                Tensor b = tb ? rnd.uniform(batch, n, k) : rnd.uniform(batch, k, n);
                Tensor c = poisoned(batch, m, n);
                Tensor ref = zeros(batch, m, n);
                CPU.gemm(a, ta, b, tb, c, 1f, 0f);
                REF.gemm(a, ta, b, tb, ref, 1f, 0f);
                close("batched gemm ta=" + ta + " tb=" + tb, c, ref);
            }
        }
    }

    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({"256,384,384", "96,1536,384", "64,384,1536",
        // rank-r products (n ≤ one vector) reading A in place, with a partial last row strip and two k blocks
        "100,8,449", "61,16,300"})
    void miniLmShapesUseTheParallelBlockedPath(int m, int n, int k) {
        Tensor a = rnd.uniform(m, k);
        Tensor b = rnd.uniform(n, k);
        Tensor c = poisoned(m, n);
        Tensor ref = zeros(m, n);
        CPU.gemm(a, false, b, true, c, 1f, 0f);
        REF.gemm(a, false, b, true, ref, 1f, 0f);
        close("gemm " + m + "x" + n + "x" + k, c, ref);
    }

    @ParameterizedTest(name = "k={0}")
    @CsvSource({"0"})
    void emptyKGivesBetaC(int k) {
        Tensor a = rnd.uniform(5, k);
        Tensor b = rnd.uniform(k, 6);
        Tensor c = poisoned(5, 6);
        CPU.gemm(a, false, b, false, c, 1f, 0f);
        for (float v : c.toArray()) {
            assertTrue(v == 0f, "k = 0 with beta = 0 must give zeros, got " + v);
        }
    }

    /** The AVX2 test run (-XX:UseAVX=2 in kernels-cpu's pom) must really run 256-bit code on an AVX-512 machine. */
    @Test
    void theAvx2RunUses256BitVectors() {
        assumeTrue(ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:UseAVX=2"), "not the AVX2 run");
        assertTrue(FloatVector.SPECIES_PREFERRED.vectorBitSize() <= 256,
                "preferred vectors under -XX:UseAVX=2: " + FloatVector.SPECIES_PREFERRED);
    }

    /**
     * Both micro-kernels (6×3 and 4×2 vectors; a JVM runs one of them, by its vector registers) against plain loops
     * in double: A read in place for the first kd steps (rows rs apart), then from a packed strip.
     */
    @ParameterizedTest(name = "rows={0} vectors={1} kd={2} kc={3}")
    @CsvSource({"6,3,0,37", "6,3,37,37", "6,3,13,40", "4,2,0,37", "4,2,37,37", "4,2,13,40", "6,3,0,1", "4,2,1,1"})
    void microKernelsMatchPlainLoops(int mr, int nv, int kd, int kc) {
        assumeTrue(!Simd.SCALAR, "vector kernels only");
        int nr = nv * Simd.L, rs = kc + 3;
        java.util.SplittableRandom r = new java.util.SplittableRandom(mr * 1000L + kd * 10L + kc);
        float[] ad = new float[5 + mr * rs], ap = new float[7 + (kc - kd) * mr], bp = new float[2 + kc * nr];
        for (float[] x : new float[][] {ad, ap, bp}) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextDouble(-1, 1);
            }
        }
        float[] tile = new float[mr * nr];
        java.util.Arrays.fill(tile, Float.NaN);
        // 6×3 reads its panel off the heap as Sgemm keeps it; from float 2, not cache-line aligned: any offset works
        java.lang.foreign.MemorySegment panel = java.lang.foreign.Arena.ofAuto().allocate(4L * bp.length, 64);
        java.lang.foreign.MemorySegment.copy(bp, 0, panel, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, bp.length);
        if (mr == 6) {
            Sgemm.kernel6x3(ad, 5, rs, kd, ap, 7, panel, 2, kc, tile);
        } else {
            Sgemm.kernel4x2(ad, 5, rs, kd, ap, 7, bp, 2, kc, tile);
        }
        for (int i = 0; i < mr; i++) {
            for (int j = 0; j < nr; j++) {
                double want = 0;
                for (int p = 0; p < kc; p++) {
                    double a = p < kd ? ad[5 + i * rs + p] : ap[7 + (p - kd) * mr + i];
                    want += a * bp[2 + p * nr + j];
                }
                assertEquals(want, tile[i * nr + j], 1e-5 * kc, "tile(" + i + "," + j + ")");
            }
        }
    }
}
