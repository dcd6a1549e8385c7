package dev.peft4j.backend.reference;

import dev.peft4j.backend.AdapterWeights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.ValidatingBackend;
import dev.peft4j.testing.Errors;
import dev.peft4j.testing.Poison;
import dev.peft4j.testing.RandomTensors;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Forward semantics of GEMM, linear, LoRA and adapter against formulas written independently here. */
class GemmAndLayersForwardTest {
    /** Both sides accumulate in double and round once; only that rounding may differ. */
    private static final double TOL = 1e-6;

    /** Through the argument checks, so every call here also follows the contract. */
    private final Backend be = new ValidatingBackend(new ReferenceBackend());

    /** op(X) as an explicit double matrix, so the product below is a plain triple loop. */
    private static double[][] op(float[] x, int offset, int rows, int cols, boolean trans) {
        double[][] m = trans ? new double[cols][rows] : new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (trans) {
                    m[j][i] = x[offset + i * cols + j];
                } else {
                    m[i][j] = x[offset + i * cols + j];
                }
            }
        }
        return m;
    }

    @ParameterizedTest(name = "transA={0} transB={1} batch={2} beta={3}")
    @CsvSource({
        "false, false, 0, 0", "true, false, 0, 0", "false, true, 0, 0", "true, true, 0, 0",
        "false, false, 0, 0.5", "true, true, 0, -1.5",
        "false, false, 3, 0", "true, false, 3, 0", "false, true, 3, 0.25", "true, true, 3, 0"})
    void gemmMatchesTripleLoop(boolean transA, boolean transB, int batch, float beta) {
        int m = 3;
        int k = 5;
        int n = 7;
        RandomTensors rnd = new RandomTensors(7);
        int[] aShape = transA ? new int[] {k, m} : new int[] {m, k};
        int[] bShape = transB ? new int[] {n, k} : new int[] {k, n};
        int batches = Math.max(1, batch);
        Tensor a = batch == 0 ? rnd.uniform(aShape) : rnd.uniform(batch, aShape[0], aShape[1]);
        Tensor b = batch == 0 ? rnd.uniform(bShape) : rnd.uniform(batch, bShape[0], bShape[1]);
        Tensor c = beta == 0 ? (batch == 0 ? Poison.nan(m, n) : Poison.nan(batch, m, n))
                : (batch == 0 ? rnd.uniform(m, n) : rnd.uniform(batch, m, n));
        float[] c0 = c.toArray();
        float alpha = 1.25f;
        be.gemm(a, transA, b, transB, c, alpha, beta);
        float[] expected = new float[batches * m * n];
        for (int p = 0; p < batches; p++) {
            double[][] oa = op(a.data(), p * m * k, aShape[0], aShape[1], transA);
            double[][] ob = op(b.data(), p * k * n, bShape[0], bShape[1], transB);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int l = 0; l < k; l++) {
                        s += oa[i][l] * ob[l][j];
                    }
                    double old = beta == 0 ? 0 : beta * (double) c0[p * m * n + i * n + j];
                    expected[p * m * n + i * n + j] = (float) (alpha * s + old);
                }
            }
        }
        Errors.assertClose("gemm", c.toArray(), expected, TOL);
    }

    @Test
    void gemmOnHandCheckableMatrices() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.of(new float[] {5, 6, 7, 8}, 2, 2);
        Tensor c = Poison.nan(2, 2);
        be.gemm(a, false, b, false, c, 1f, 0f);
        assertArrayEquals(new float[] {19, 22, 43, 50}, c.data());
        be.gemm(a, true, b, false, c, 1f, 1f); // Aᵀ B = [26 30; 38 44], plus the previous C
        assertArrayEquals(new float[] {45, 52, 81, 94}, c.data());
    }

    @Test
    void linearForwardMatchesFormula() {
        RandomTensors rnd = new RandomTensors(8);
        Tensor x = rnd.uniform(3, 5);
        Tensor w = rnd.uniform(7, 5);
        Tensor b = rnd.uniform(7);
        Tensor y = Poison.nan(3, 7);
        be.linearForward(x, w, b, y);
        float[] expected = new float[21];
        for (int i = 0; i < 3; i++) {
            for (int o = 0; o < 7; o++) {
                double s = b.data()[o];
                for (int j = 0; j < 5; j++) {
                    s += (double) x.data()[i * 5 + j] * w.data()[o * 5 + j];
                }
                expected[i * 7 + o] = (float) s;
            }
        }
        Errors.assertClose("linear", y.toArray(), expected, TOL);
        Tensor yNoBias = Poison.nan(3, 7);
        be.linearForward(x, w, null, yNoBias);
        for (int i = 0; i < 21; i++) {
            expected[i] -= b.data()[i % 7];
        }
        Errors.assertClose("linear without bias", yNoBias.toArray(), expected, 1e-5);
    }

    /** LoRA y equals the unfused composition x Wᵀ + b + s·((x ⊙ mask) Aᵀ) Bᵀ built from gemm and mul. */
    @Test
    void loraForwardMatchesUnfusedComposition() {
        RandomTensors rnd = new RandomTensors(9);
        Tensor x = rnd.uniform(3, 5);
        Tensor w = rnd.uniform(7, 5);
        Tensor bias = rnd.uniform(7);
        Tensor a = rnd.uniform(2, 5);
        Tensor b = rnd.uniform(7, 2);
        Tensor mask = rnd.binary(0.6, 3, 5);
        for (int i = 0; i < 15; i++) {
            mask.data()[i] *= 2f; // p = 0.5
        }
        float s = 0.5f;
        Tensor y = Poison.nan(3, 7);
        Tensor u = Poison.nan(3, 2);
        be.loraForward(x, w, bias, a, b, s, mask, y, u);
        double[] uRef = new double[6];
        float[] expected = new float[21];
        for (int n = 0; n < 3; n++) {
            for (int j = 0; j < 2; j++) {
                for (int i = 0; i < 5; i++) {
                    uRef[n * 2 + j] += (double) x.data()[n * 5 + i] * mask.data()[n * 5 + i] * a.data()[j * 5 + i];
                }
            }
            for (int o = 0; o < 7; o++) {
                double v = bias.data()[o];
                for (int i = 0; i < 5; i++) {
                    v += (double) x.data()[n * 5 + i] * w.data()[o * 5 + i];
                }
                for (int j = 0; j < 2; j++) {
                    v += s * uRef[n * 2 + j] * b.data()[o * 2 + j];
                }
                expected[n * 7 + o] = (float) v;
            }
        }
        float[] uExpected = new float[6];
        for (int i = 0; i < 6; i++) {
            uExpected[i] = (float) uRef[i];
        }
        Errors.assertClose("lora u", u.toArray(), uExpected, TOL);
        Errors.assertClose("lora y", y.toArray(), expected, TOL);
    }

    /** Adapter y = residual + s·(f(x W_dᵀ + b_d) W_uᵀ + b_u) with y aliasing residual. */
    @Test
    void adapterForwardWithOutputAliasingResidual() {
        RandomTensors rnd = new RandomTensors(10);
        Tensor x = rnd.uniform(3, 5);
        Tensor residual = rnd.uniform(3, 5);
        float[] res0 = residual.toArray();
        Tensor wd = rnd.uniform(2, 5);
        Tensor bd = rnd.uniform(2);
        Tensor wu = rnd.uniform(5, 2);
        Tensor bu = rnd.uniform(5);
        Tensor z = Poison.nan(3, 2);
        float s = 1.5f;
        be.adapterForward(x, residual, new AdapterWeights(wd, bd, wu, bu, Activation.RELU, s), residual, z);
        float[] expected = new float[15];
        for (int n = 0; n < 3; n++) {
            double[] h = new double[2];
            for (int j = 0; j < 2; j++) {
                double zz = bd.data()[j];
                for (int i = 0; i < 5; i++) {
                    zz += (double) x.data()[n * 5 + i] * wd.data()[j * 5 + i];
                }
                assertEquals(zz, z.data()[n * 2 + j], 1e-6);
                h[j] = Math.max(0, zz);
            }
            for (int i = 0; i < 5; i++) {
                double v = bu.data()[i];
                for (int j = 0; j < 2; j++) {
                    v += h[j] * wu.data()[i * 2 + j];
                }
                expected[n * 5 + i] = (float) (res0[n * 5 + i] + s * v);
            }
        }
        Errors.assertClose("adapter y (aliasing residual)", residual.toArray(), expected, TOL);
    }

    @Test
    void backwardOutputsAreOverwrittenNotAccumulated() {
        RandomTensors rnd = new RandomTensors(12);
        Tensor x = rnd.uniform(3, 5);
        Tensor w = rnd.uniform(7, 5);
        Tensor dy = rnd.uniform(3, 7);
        Tensor dw1 = Poison.nan(7, 5);
        Tensor dw2 = rnd.uniform(7, 5);
        be.linearBackward(dy, x, w, null, dw1, null);
        be.linearBackward(dy, x, w, null, dw2, null);
        assertArrayEquals(dw1.data(), dw2.data());
        for (float v : dw1.data()) {
            assertTrue(Float.isFinite(v));
        }
    }
}
