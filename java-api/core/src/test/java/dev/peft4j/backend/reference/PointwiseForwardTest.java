package dev.peft4j.backend.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.Backends;
import dev.peft4j.backend.ValidatingBackend;
import dev.peft4j.testing.Errors;
import dev.peft4j.testing.Poison;
import dev.peft4j.testing.RandomTensors;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** erf, activations, layer norm, softmax, elementwise, embedding, pooling and (IA)³, plus provider registration. */
class PointwiseForwardTest {
    /** Through the argument checks, so every call here also follows the contract. */
    private final Backend be = new ValidatingBackend(new ReferenceBackend());

    /** Published values of erf/erfc (A&amp;S tables, to 16 digits). */
    @Test
    void erfMatchesTabulatedValues() {
        assertEquals(0.5204998778130465, Erf.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, Erf.erf(1.0), 1e-15);
        assertEquals(-0.8427007929497149, Erf.erf(-1.0), 1e-15);
        assertEquals(0.9953222650189527, Erf.erf(2.0), 1e-15);
        assertEquals(0.0, Erf.erf(0.0));
        assertEquals(2.209049699858544e-05, Erf.erfc(3.0), 1e-12 * 2.2e-5);
        assertEquals(1.5374597944280349e-12, Erf.erfc(5.0), 1e-12 * 1.6e-12);
        assertEquals(2.0884875837625447e-45, Erf.erfc(10.0), 1e-12 * 2.1e-45);
        assertEquals(1.0, Erf.erf(7.0));
    }

    /** erf'(x) = 2/√π·e^(−x²) everywhere, including across the switch between series and continued fraction. */
    @Test
    void erfDerivativeAndContinuity() {
        for (double x = -5; x <= 5; x += 0.125) {
            double h = 1e-5;
            double fd = (Erf.erf(x + h) - Erf.erf(x - h)) / (2 * h);
            double exact = 2 / Math.sqrt(Math.PI) * Math.exp(-x * x);
            assertEquals(exact, fd, 1e-9, "erf' at " + x);
        }
        for (double edge : new double[] {1.0, 3.0}) {
            double below = Erf.erfc(Math.nextDown(edge));
            double at = Erf.erfc(edge);
            assertEquals(at, below, 1e-12 * at, "erfc continuous at the method switch " + edge);
            assertEquals(Erf.erf(edge), Erf.erf(Math.nextDown(edge)), 1e-15, "erf continuous at " + edge);
        }
        assertEquals(0.15729920705028513, Erf.erfc(1.0), 1e-15, "erfc(1)");
    }

    @Test
    void activationValues() {
        Tensor x = Tensor.of(new float[] {-1f, 0f, 1f, 2f}, 4);
        float[] phi = {0.15865525393145707f, 0.5f, 0.8413447460685429f, 0.9772498680518208f};
        assertValues(Activation.GELU, x, new float[] {-phi[0], 0f, phi[2], 2 * phi[3]});
        assertValues(Activation.RELU, x, new float[] {0f, 0f, 1f, 2f});
        assertValues(Activation.IDENTITY, x, x.toArray());
        double c = Math.sqrt(2 / Math.PI);
        float[] gt = new float[4];
        float[] sw = new float[4];
        float[] th = new float[4];
        for (int i = 0; i < 4; i++) {
            double z = x.data()[i];
            gt[i] = (float) (0.5 * z * (1 + Math.tanh(c * (z + 0.044715 * z * z * z))));
            sw[i] = (float) (z / (1 + Math.exp(-z)));
            th[i] = (float) Math.tanh(z);
        }
        assertValues(Activation.GELU_TANH, x, gt);
        assertValues(Activation.SWISH, x, sw);
        assertValues(Activation.TANH, x, th);
        assertEquals(0f, ReferenceActivations.value(Activation.GELU, -40), 1e-30, "GELU far left is ~0, not NaN");
        assertEquals(-40.0, ReferenceActivations.value(Activation.SWISH, -40) / Math.exp(-40), 1e-9);
    }

    private void assertValues(Activation f, Tensor x, float[] expected) {
        Tensor y = Poison.nan(4);
        be.activationForward(f, x, y);
        Errors.assertClose(f.name(), y.toArray(), expected, 1e-7);
    }

    @Test
    void activationsWorkInPlace() {
        RandomTensors rnd = new RandomTensors(3);
        Tensor x = rnd.uniform(3, 5);
        Tensor dy = rnd.uniform(3, 5);
        Tensor y = Poison.nan(3, 5);
        Tensor dx = Poison.nan(3, 5);
        be.activationForward(Activation.GELU, x, y);
        be.activationBackward(Activation.GELU, dy, x, dx);
        Tensor xInPlace = Tensor.of(x.toArray(), 3, 5);
        be.activationForward(Activation.GELU, xInPlace, xInPlace);
        assertArrayEquals(y.data(), xInPlace.data());
        be.activationBackward(Activation.GELU, dy, x, dy);
        assertArrayEquals(dx.data(), dy.data());
    }

    @Test
    void layerNormNormalisesEachRow() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, -2, 0, 0, 2}, 2, 4);
        Tensor gamma = Tensor.of(new float[] {1, 2, 1, 1}, 4);
        Tensor beta = Tensor.of(new float[] {0, 0, 0, 1}, 4);
        Tensor y = Poison.nan(2, 4);
        Tensor mean = Poison.nan(2);
        Tensor rstd = Poison.nan(2);
        be.layerNormForward(x, gamma, beta, 1e-5f, y, mean, rstd);
        // row 0: μ = 2.5, var = 1.25; row 1: μ = 0, var = 2
        assertEquals(2.5f, mean.data()[0], 0f);
        assertEquals(0f, mean.data()[1], 0f);
        double r0 = 1 / Math.sqrt(1.25 + 1e-5f);
        double r1 = 1 / Math.sqrt(2 + 1e-5f);
        assertEquals(r0, rstd.data()[0], 1e-7);
        assertEquals(r1, rstd.data()[1], 1e-7);
        float[] expected = {(float) (-1.5 * r0), (float) (-0.5 * r0 * 2), (float) (0.5 * r0), (float) (1.5 * r0 + 1),
            (float) (-2 * r1), 0f, 0f, (float) (2 * r1 + 1)};
        Errors.assertClose("layerNorm", y.toArray(), expected, 1e-7);
        Tensor yNoBeta = Poison.nan(2, 4);
        be.layerNormForward(x, gamma, null, 1e-5f, yNoBeta, mean, rstd);
        assertEquals(expected[7] - 1, yNoBeta.data()[7], 1e-6);
    }

    @Test
    void softmaxRowsSumToOneAndWorkInPlace() {
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1000, 1000, 0}, 2, 3);
        be.softmaxForward(x, x);
        float h = 0.5f;
        assertArrayEquals(new float[] {1f / 3, 1f / 3, 1f / 3, h, h, 0f}, x.data(), 1e-7f);
    }

    @Test
    void elementwiseKernelsAndAliasing() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor b = Tensor.of(new float[] {4, 5, 6}, 3);
        Tensor out = Poison.nan(3);
        be.add(a, b, out);
        assertArrayEquals(new float[] {5, 7, 9}, out.data());
        be.mul(a, b, a);
        assertArrayEquals(new float[] {4, 10, 18}, a.data());
        be.add(b, b, b);
        assertArrayEquals(new float[] {8, 10, 12}, b.data());
        be.axpy(0.5f, b, a);
        assertArrayEquals(new float[] {8, 15, 24}, a.data());
        be.copy(a, out);
        assertArrayEquals(a.data(), out.data());
        be.fill(out, -2f);
        assertArrayEquals(new float[] {-2, -2, -2}, out.data());
        Tensor l = Tensor.of(new float[] {2, -1}, 2);
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        be.scaleForward(x, l, x);
        assertArrayEquals(new float[] {2, -2, 6, -4}, x.data());
    }

    @Test
    void embeddingGathersRowsAndMeanPoolAveragesUnmaskedPositions() {
        Tensor table = Tensor.of(new float[] {0, 1, 10, 11, 20, 21}, 3, 2);
        Tensor out = Poison.nan(3, 2);
        be.embeddingForward(table, new int[] {2, 0, 2}, out);
        assertArrayEquals(new float[] {20, 21, 0, 1, 20, 21}, out.data());
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 3, 2);
        Tensor mask = Tensor.of(new float[] {1, 0, 1, 0, 0, 0}, 2, 3);
        Tensor pooled = Poison.nan(2, 2);
        be.meanPoolForward(x, mask, pooled);
        assertArrayEquals(new float[] {3, 4, 0, 0}, pooled.data(), "fully masked row pools to 0");
        be.meanPoolForward(x, null, pooled);
        assertArrayEquals(new float[] {3, 4, 9, 10}, pooled.data());
    }

    @Test
    void providerIsRegisteredAndSelectable() {
        BackendProvider provider = Backends.providers().stream()
                .filter(p -> p.name().equals("reference")).findFirst().orElseThrow();
        assertEquals(100, provider.priority());
        assertTrue(provider.availability().available());
        try (Backend b = Backends.create("reference")) {
            assertEquals("reference", b.name());
            assertEquals(Device.CPU, b.device());
            assertInstanceOf(ReferenceBackend.class, ((ValidatingBackend) b).unwrap());
            Tensor t = b.allocate(2, 3);
            assertArrayEquals(new float[6], t.data());
            assertArrayEquals(new float[] {1, 2}, b.fromHost(new float[] {1, 2}, 2).data());
        }
    }
}
