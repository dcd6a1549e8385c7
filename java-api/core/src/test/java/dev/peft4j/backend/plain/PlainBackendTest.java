package dev.peft4j.backend.plain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendOptions;
import dev.peft4j.backend.Backends;
import dev.peft4j.backend.reference.ReferenceBackend;
import dev.peft4j.tensor.Tensor;
import dev.peft4j.testing.Errors;
import dev.peft4j.testing.Poison;
import dev.peft4j.testing.RandomTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The plain backend's own kernels (matrix products, activations, dropout, layer norm, softmax, cross-entropy, bias
 * gradient, AdamW, clipping) against the reference at the float32 tolerance, on odd shapes (one row, 7 × 37, and
 * enough rows that 3 threads split them), into NaN-poisoned outputs so an element left unwritten fails. The
 * tests/ conformance suite covers every kernel again.
 */
class PlainBackendTest {
    private static final double TOL = 1e-5;
    private static final PlainBackend PLAIN = new PlainBackend(3);
    private static final Backend REF = new ReferenceBackend();
    private final RandomTensors rnd = new RandomTensors(4242);

    @AfterAll
    static void closePool() {
        PLAIN.close();
    }

    @Test
    void gemmMatchesTheReferenceForEveryTransposeBetaAndBatch() {
        int m = 37, k = 301, n = 290;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (float beta : new float[] {0f, 0.5f}) {
                    for (int batch : new int[] {0, 2}) {
                        int[] as = ta ? shape(batch, k, m) : shape(batch, m, k);
                        int[] bs = tb ? shape(batch, n, k) : shape(batch, k, n);
                        Tensor a = rnd.uniform(-1f, 1f, as), b = rnd.uniform(-1f, 1f, bs);
                        Tensor c0 = rnd.uniform(-1f, 1f, shape(batch, m, n));
                        Tensor c = beta == 0f ? Poison.nan(shape(batch, m, n)) : Tensor.of(c0.toArray(), c0.shape());
                        Tensor ref = Tensor.of(c0.toArray(), c0.shape());
                        PLAIN.gemm(a, ta, b, tb, c, 0.75f, beta);
                        REF.gemm(a, ta, b, tb, ref, 0.75f, beta);
                        Errors.assertClose("gemm transA=" + ta + " transB=" + tb + " beta=" + beta + " batch=" + batch,
                                c, ref, TOL);
                    }
                }
            }
        }
    }

    @Test
    void linearForwardAndBackwardMatchTheReference() {
        int rows = 45, in = 270, out = 300;
        Tensor x = rnd.uniform(-1f, 1f, 3, 15, in), w = rnd.uniform(-0.3f, 0.3f, out, in), bias = rnd.uniform(-1f, 1f, out);
        Tensor y = Poison.nan(3, 15, out), yRef = Tensor.zeros(3, 15, out);
        PLAIN.linearForward(x, w, bias, y);
        REF.linearForward(x, w, bias, yRef);
        Errors.assertClose("linearForward", y, yRef, TOL);
        Tensor dy = rnd.uniform(-1f, 1f, rows, out);
        Tensor x2 = x.view(rows, in);
        Tensor dx = Poison.nan(rows, in), dw = Poison.nan(out, in), db = Poison.nan(out);
        Tensor dxRef = Tensor.zeros(rows, in), dwRef = Tensor.zeros(out, in), dbRef = Tensor.zeros(out);
        PLAIN.linearBackward(dy, x2, w, dx, dw, db);
        REF.linearBackward(dy, x2, w, dxRef, dwRef, dbRef);
        Errors.assertClose("linearBackward dx", dx, dxRef, TOL);
        Errors.assertClose("linearBackward dW", dw, dwRef, TOL);
        Errors.assertClose("linearBackward db", db, dbRef, TOL);
    }

    @Test
    void loraForwardAndBackwardMatchTheReferenceWithAndWithoutDropout() {
        int rows = 33, in = 200, out = 260, r = 8;
        for (boolean withMask : new boolean[] {false, true}) {
            Tensor x = rnd.uniform(-1f, 1f, rows, in), w = rnd.uniform(-0.3f, 0.3f, out, in);
            Tensor bias = rnd.uniform(-1f, 1f, out), a = rnd.uniform(-0.3f, 0.3f, r, in), b = rnd.uniform(-0.3f, 0.3f, out, r);
            Tensor mask = null;
            if (withMask) {
                float[] mv = rnd.uniformArray(0f, 1f, rows * in);
                for (int i = 0; i < mv.length; i++) {
                    mv[i] = mv[i] < 0.1f ? 0f : 1f / 0.9f;
                }
                mask = Tensor.of(mv, rows, in);
            }
            Tensor y = Poison.nan(rows, out), u = Poison.nan(rows, r), yRef = Tensor.zeros(rows, out), uRef = Tensor.zeros(rows, r);
            PLAIN.loraForward(x, w, bias, a, b, 0.5f, mask, y, u);
            REF.loraForward(x, w, bias, a, b, 0.5f, mask, yRef, uRef);
            Errors.assertClose("loraForward y mask=" + withMask, y, yRef, TOL);
            Errors.assertClose("loraForward u mask=" + withMask, u, uRef, TOL);
            Tensor dy = rnd.uniform(-1f, 1f, rows, out);
            Tensor dx = Poison.nan(rows, in), dA = Poison.nan(r, in), dB = Poison.nan(out, r);
            Tensor dxRef = Tensor.zeros(rows, in), dARef = Tensor.zeros(r, in), dBRef = Tensor.zeros(out, r);
            PLAIN.loraBackward(dy, x, w, a, b, uRef, 0.5f, mask, dx, dA, dB);
            REF.loraBackward(dy, x, w, a, b, uRef, 0.5f, mask, dxRef, dARef, dBRef);
            Errors.assertClose("loraBackward dx mask=" + withMask, dx, dxRef, TOL);
            Errors.assertClose("loraBackward dA mask=" + withMask, dA, dARef, TOL);
            Errors.assertClose("loraBackward dB mask=" + withMask, dB, dBRef, TOL);
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Tensor x = rnd.uniform(-1f, 1f, 64, 300), w = rnd.uniform(-0.3f, 0.3f, 200, 300);
        Tensor y1 = Tensor.zeros(64, 200), y3 = Tensor.zeros(64, 200);
        try (PlainBackend one = new PlainBackend(1)) {
            one.linearForward(x, w, null, y1);
        }
        PLAIN.linearForward(x, w, null, y3);
        assertArrayEquals(y1.toArray(), y3.toArray());
    }

    @Test
    void withOnlyCoreTheFallbackIsChosenAsDegradedAndTakesTheThreadsOption() {
        Availability a = new PlainBackendProvider().availability(BackendOptions.defaults().withThreads(2));
        assertTrue(a.available() && a.degraded() && a.reason().contains("2 threads"), a.toString());
        try (Backend b = Backends.create("plain", BackendOptions.defaults().withThreads(2))) {
            assertEquals("plain", b.name());
        }
        if (Backends.providers().stream().noneMatch(p -> p.name().equals("cpu") || p.name().equals("cuda"))) {
            assertEquals("plain", Backends.report().chosen(), "core alone must never choose the float64 reference");
        }
    }

    /** One row, a few rows, and enough elements that the pool's 3 threads each take a chunk. */
    private static final int[][] ROW_SHAPES = {{1, 37}, {7, 37}, {3, 5, 37}, {1021, 97}};

    @Test
    void activationsForwardAndBackwardMatchTheReference() {
        for (Activation f : Activation.values()) {
            for (int[] shape : ROW_SHAPES) {
                for (boolean inPlace : new boolean[] {false, true}) {
                    String what = f + " " + java.util.Arrays.toString(shape) + (inPlace ? " in place" : "");
                    Tensor x = rnd.uniform(-6f, 6f, shape);
                    Tensor xIn = inPlace ? Tensor.of(x.toArray(), shape) : x;
                    Tensor y = inPlace ? xIn : Poison.nan(shape), yRef = Tensor.zeros(shape);
                    PLAIN.activationForward(f, xIn, y);
                    REF.activationForward(f, x, yRef);
                    Errors.assertClose("activationForward " + what, y, yRef, TOL);
                    Tensor dy = rnd.uniform(-1f, 1f, shape);
                    Tensor dyIn = inPlace ? Tensor.of(dy.toArray(), shape) : dy;
                    Tensor dx = inPlace ? dyIn : Poison.nan(shape), dxRef = Tensor.zeros(shape);
                    PLAIN.activationBackward(f, dyIn, x, dx);
                    REF.activationBackward(f, dy, x, dxRef);
                    Errors.assertClose("activationBackward " + what, dx, dxRef, TOL);
                }
            }
        }
    }

    @Test
    void activationsKeepTheReferencesValuesInTheTailsAndAtInfinity() {
        float[] z = {-1e30f, -40f, -9f, -5.5f, -1f, -1e-20f, 0f, 1e-20f, 1f, 5.5f, 9f, 40f, 1e30f,
            Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        for (Activation f : Activation.values()) {
            Tensor y = Poison.nan(z.length), yRef = Tensor.zeros(z.length);
            PLAIN.activationForward(f, Tensor.of(z.clone(), z.length), y);
            REF.activationForward(f, Tensor.of(z.clone(), z.length), yRef);
            Tensor dx = Poison.nan(z.length), dxRef = Tensor.zeros(z.length);
            float[] ones = new float[z.length];
            java.util.Arrays.fill(ones, 1f);
            PLAIN.activationBackward(f, Tensor.of(ones.clone(), z.length), Tensor.of(z.clone(), z.length), dx);
            REF.activationBackward(f, Tensor.of(ones.clone(), z.length), Tensor.of(z.clone(), z.length), dxRef);
            for (int i = 0; i < z.length; i++) {
                assertSameValue(f + " forward at " + z[i], yRef.toArray()[i], y.toArray()[i], 1e-20);
                assertSameValue(f + " derivative at " + z[i], dxRef.toArray()[i], dx.toArray()[i], 2e-7);
            }
        }
    }

    /**
     * |actual − expected| ≤ 2e-5·|expected| + floor, or both NaN, or the same infinity. 2e-5: the float erfc's
     * relative error out in GELU's left tail (about 1e-5 at z = −13); floor: where the value is an ulp-level
     * difference of O(1) terms (a derivative's zero, or the reference's own 1 + tanh(u) cancelling in double).
     */
    private static void assertSameValue(String what, float expected, float actual, double floor) {
        if (Float.isNaN(expected) || Float.isNaN(actual) || Float.isInfinite(expected)) {
            assertEquals(expected, actual, what);
            return;
        }
        assertTrue(Math.abs((double) actual - expected) <= 2e-5 * Math.abs(expected) + floor,
                what + ": got " + actual + ", reference " + expected);
    }

    @Test
    void dropoutDrawsTheReferencesMaskAndOutputBitForBit() {
        for (int[] shape : ROW_SHAPES) {
            for (float p : new float[] {0f, 0.1f, 0.5f, 0.9f}) {
                for (boolean inPlace : new boolean[] {false, true}) {
                    long seed = rnd.ints(1 << 30, 1)[0] * 0x9E3779B97F4A7C15L;
                    String what = java.util.Arrays.toString(shape) + " p=" + p + " seed=" + seed + (inPlace ? " in place" : "");
                    Tensor x = rnd.uniform(-1f, 1f, shape);
                    Tensor xIn = inPlace ? Tensor.of(x.toArray(), shape) : x;
                    Tensor y = inPlace ? xIn : Poison.nan(shape), mask = Poison.nan(shape);
                    Tensor yRef = Tensor.zeros(shape), maskRef = Tensor.zeros(shape);
                    PLAIN.dropoutForward(xIn, p, seed, y, mask);
                    REF.dropoutForward(x, p, seed, yRef, maskRef);
                    assertArrayEquals(maskRef.toArray(), mask.toArray(), "dropout mask " + what);
                    assertArrayEquals(yRef.toArray(), y.toArray(), "dropout y " + what);
                    Tensor yNoMask = Poison.nan(shape);
                    PLAIN.dropoutForward(x, p, seed, yNoMask, null);
                    assertArrayEquals(yRef.toArray(), yNoMask.toArray(), "dropout y without a mask " + what);
                }
            }
        }
    }

    @Test
    void layerNormForwardAndBackwardMatchTheReference() {
        for (int[] shape : new int[][] {{1, 1}, {1, 37}, {7, 37}, {3, 5, 37}, {1021, 385}}) {
            int dim = shape[shape.length - 1], rows = (int) (Tensor.zeros(shape).numel() / dim);
            for (boolean withBeta : new boolean[] {true, false}) {
                for (float eps : new float[] {1e-12f, 1e-5f}) {
                    String what = java.util.Arrays.toString(shape) + (withBeta ? " beta" : " no beta") + " eps=" + eps;
                    Tensor x = rnd.uniform(3f, 5f, shape), gamma = rnd.uniform(0.5f, 1.5f, dim);
                    Tensor beta = withBeta ? rnd.uniform(-1f, 1f, dim) : null;
                    Tensor y = Poison.nan(shape), mean = Poison.nan(rows), rstd = Poison.nan(rows);
                    Tensor yRef = Tensor.zeros(shape), meanRef = Tensor.zeros(rows), rstdRef = Tensor.zeros(rows);
                    PLAIN.layerNormForward(x, gamma, beta, eps, y, mean, rstd);
                    REF.layerNormForward(x, gamma, beta, eps, yRef, meanRef, rstdRef);
                    Errors.assertClose("layerNormForward y " + what, y, yRef, TOL);
                    Errors.assertClose("layerNormForward mean " + what, mean, meanRef, TOL);
                    Errors.assertClose("layerNormForward rstd " + what, rstd, rstdRef, TOL);
                    Tensor dy = rnd.uniform(-1f, 1f, shape);
                    for (boolean allGrads : new boolean[] {true, false}) {
                        Tensor dx = Poison.nan(shape), dg = allGrads ? Poison.nan(dim) : null, db = allGrads ? Poison.nan(dim) : null;
                        Tensor dxRef = Tensor.zeros(shape), dgRef = Tensor.zeros(dim), dbRef = Tensor.zeros(dim);
                        PLAIN.layerNormBackward(dy, x, gamma, meanRef, rstdRef, dx, dg, db);
                        REF.layerNormBackward(dy, x, gamma, meanRef, rstdRef, dxRef, dgRef, dbRef);
                        Errors.assertClose("layerNormBackward dx " + what, dx, dxRef, TOL);
                        if (allGrads) {
                            Errors.assertClose("layerNormBackward dGamma " + what, dg, dgRef, TOL);
                            Errors.assertClose("layerNormBackward dBeta " + what, db, dbRef, TOL);
                        }
                    }
                    Tensor dgOnly = Poison.nan(dim), dgOnlyRef = Tensor.zeros(dim);
                    PLAIN.layerNormBackward(dy, x, gamma, meanRef, rstdRef, null, dgOnly, null);
                    REF.layerNormBackward(dy, x, gamma, meanRef, rstdRef, null, dgOnlyRef, null);
                    Errors.assertClose("layerNormBackward dGamma alone " + what, dgOnly, dgOnlyRef, TOL);
                }
            }
        }
    }

    @Test
    void softmaxForwardAndBackwardMatchTheReference() {
        for (int[] shape : new int[][] {{1, 1}, {37}, {1, 37}, {7, 37}, {3, 5, 37}, {515, 129}}) {
            for (boolean inPlace : new boolean[] {false, true}) {
                String what = java.util.Arrays.toString(shape) + (inPlace ? " in place" : "");
                Tensor x = rnd.uniform(-8f, 8f, shape);
                Tensor xIn = inPlace ? Tensor.of(x.toArray(), shape) : x;
                Tensor y = inPlace ? xIn : Poison.nan(shape), yRef = Tensor.zeros(shape);
                PLAIN.softmaxForward(xIn, y);
                REF.softmaxForward(x, yRef);
                Errors.assertClose("softmaxForward " + what, y, yRef, TOL);
                Tensor dy = rnd.uniform(-1f, 1f, shape);
                Tensor dx = Poison.nan(shape), dxRef = Tensor.zeros(shape);
                PLAIN.softmaxBackward(dy, yRef, dx);
                REF.softmaxBackward(dy, yRef, dxRef);
                Errors.assertClose("softmaxBackward " + what, dx, dxRef, TOL);
            }
        }
    }

    @Test
    void crossEntropyForwardAndBackwardMatchTheReferenceWithIgnoredRows() {
        for (int[] nc : new int[][] {{1, 1}, {1, 37}, {7, 37}, {1021, 97}}) {
            int n = nc[0], c = nc[1];
            for (double pIgnore : new double[] {0, 0.2, 1}) {
                String what = "N=" + n + " C=" + c + " ignored≈" + pIgnore;
                Tensor logits = rnd.uniform(-4f, 4f, n, c);
                int[] targets = rnd.ints(c, n);
                float[] u = rnd.uniformArray(0f, 1f, n);
                for (int i = 0; i < n; i++) {
                    if (u[i] < pIgnore) {
                        targets[i] = Backend.IGNORE_INDEX;
                    }
                }
                Tensor probs = Poison.nan(n, c), probsRef = Tensor.zeros(n, c), loss = Poison.nan(1);
                float l = PLAIN.crossEntropyForward(logits, targets, probs);
                float lRef = REF.crossEntropyForward(logits, targets, probsRef);
                assertTrue(Math.abs(l - lRef) <= TOL * Math.max(Math.abs(lRef), 1e-30) || l == lRef,
                        "crossEntropyForward loss " + what + ": " + l + " vs " + lRef);
                Errors.assertClose("crossEntropyForward probs " + what, probs, probsRef, TOL);
                PLAIN.crossEntropyForward(logits, targets, Poison.nan(n, c), loss);
                assertEquals(l, loss.toArray()[0], "the loss written to a tensor " + what);
                for (float scale : new float[] {1f, 0.25f}) {
                    Tensor d = Poison.nan(n, c), dRef = Tensor.zeros(n, c);
                    PLAIN.crossEntropyBackward(probsRef, targets, scale, d);
                    REF.crossEntropyBackward(probsRef, targets, scale, dRef);
                    Errors.assertClose("crossEntropyBackward " + what + " scale=" + scale, d, dRef, 1e-6);
                }
            }
        }
    }

    @Test
    void biasGradientMatchesTheReference() {
        for (int[] shape : new int[][] {{1, 37}, {7, 37}, {3, 5, 37}, {1021, 385}, {40000, 3}}) {
            int dim = shape[shape.length - 1];
            Tensor dy = rnd.uniform(-1f, 1f, shape);
            Tensor db = Poison.nan(dim), dbRef = Tensor.zeros(dim);
            PLAIN.biasGradient(dy, db);
            REF.biasGradient(dy, dbRef);
            Errors.assertClose("biasGradient " + java.util.Arrays.toString(shape), db, dbRef, TOL);
        }
    }

    /** Parameter tensors of odd sizes, one of them large enough to be split over the threads. */
    private static final int[][] PARAM_SHAPES = {{1}, {37}, {7, 37}, {1021, 97}};

    @Test
    void adamWMatchesTheReferenceOnTheFirstAndALaterStep() {
        for (long step : new long[] {1, 7, 1000}) {
            AdamW hp = step == 7 ? new AdamW(0.05f, 0.8f, 0.99f, 1e-6f, 0f) : new AdamW(0.05f, 0.9f, 0.999f, 1e-8f, 0.01f);
            int n = PARAM_SHAPES.length;
            Tensor[] p = new Tensor[n], g = new Tensor[n], m = new Tensor[n], v = new Tensor[n];
            Tensor[] pRef = new Tensor[n], mRef = new Tensor[n], vRef = new Tensor[n];
            float[][] before = new float[n][];
            for (int i = 0; i < n; i++) {
                int[] s = PARAM_SHAPES[i];
                p[i] = rnd.uniform(-1f, 1f, s);
                g[i] = rnd.uniform(-1f, 1f, s);
                m[i] = step == 1 ? Tensor.zeros(s) : rnd.uniform(-0.1f, 0.1f, s);
                v[i] = step == 1 ? Tensor.zeros(s) : rnd.uniform(0f, 0.01f, s);
                before[i] = p[i].toArray();
                pRef[i] = Tensor.of(p[i].toArray(), s);
                mRef[i] = Tensor.of(m[i].toArray(), s);
                vRef[i] = Tensor.of(v[i].toArray(), s);
            }
            PLAIN.adamW(p, g, m, v, hp, step);
            REF.adamW(pRef, g, mRef, vRef, hp, step);
            for (int i = 0; i < n; i++) {
                String what = "adamW step " + step + " tensor " + i + " " + java.util.Arrays.toString(PARAM_SHAPES[i]);
                Errors.assertClose(what + " params", p[i], pRef[i], TOL);
                Errors.assertClose(what + " Δparams", difference(p[i].toArray(), before[i]),
                        difference(pRef[i].toArray(), before[i]), TOL);
                Errors.assertClose(what + " m", m[i], mRef[i], 1e-6);
                Errors.assertClose(what + " v", v[i], vRef[i], 1e-6);
            }
        }
    }

    @Test
    void clipGradNormMatchesTheReferenceAboveAndBelowMaxNorm() {
        for (double factor : new double[] {0.5, 2.0}) {
            for (boolean onDevice : new boolean[] {false, true}) {
                int n = PARAM_SHAPES.length;
                Tensor[] g = new Tensor[n], gRef = new Tensor[n];
                double sq = 0;
                for (int i = 0; i < n; i++) {
                    g[i] = rnd.uniform(-1f, 1f, PARAM_SHAPES[i]);
                    gRef[i] = Tensor.of(g[i].toArray(), PARAM_SHAPES[i]);
                    for (float x : g[i].toArray()) {
                        sq += (double) x * x;
                    }
                }
                float maxNorm = (float) (factor * Math.sqrt(sq));
                float norm;
                if (onDevice) {
                    Tensor t = Poison.nan(1);
                    PLAIN.clipGradNorm(g, maxNorm, t);
                    norm = t.toArray()[0];
                } else {
                    norm = PLAIN.clipGradNorm(g, maxNorm);
                }
                float normRef = REF.clipGradNorm(gRef, maxNorm);
                String what = "clipGradNorm maxNorm=" + factor + "×norm" + (onDevice ? " (norm in a tensor)" : "");
                assertTrue(Math.abs(norm - normRef) <= TOL * normRef, what + ": norm " + norm + " vs " + normRef);
                for (int i = 0; i < n; i++) {
                    Errors.assertClose(what + " grads[" + i + "]", g[i], gRef[i], TOL);
                }
            }
        }
    }

    @Test
    void rowKernelsAndTheOptimizerDoNotDependOnTheThreadCount() {
        int rows = 1021, dim = 385;
        Tensor x = rnd.uniform(3f, 5f, rows, dim), gamma = rnd.uniform(0.5f, 1.5f, dim), dy = rnd.uniform(-1f, 1f, rows, dim);
        Tensor[] grads1 = {rnd.uniform(-1f, 1f, 70001), rnd.uniform(-1f, 1f, 37)};
        Tensor[] grads3 = {Tensor.of(grads1[0].toArray(), 70001), Tensor.of(grads1[1].toArray(), 37)};
        try (PlainBackend one = new PlainBackend(1)) {
            for (PlainBackend b : new PlainBackend[] {one, PLAIN}) {
                assertTrue(b == one || b.threads() == 3);
            }
            float[][] r1 = layerNormAll(one, x, gamma, dy), r3 = layerNormAll(PLAIN, x, gamma, dy);
            for (int i = 0; i < r1.length; i++) {
                assertArrayEquals(r1[i], r3[i], "layer norm output " + i + " on 1 and 3 threads");
            }
            assertEquals(one.clipGradNorm(grads1, 1f), PLAIN.clipGradNorm(grads3, 1f), "norm on 1 and 3 threads");
            assertArrayEquals(grads1[0].toArray(), grads3[0].toArray(), "clipped gradients on 1 and 3 threads");
        }
    }

    /** y, mean, rstd, dx, dγ, dβ and the bias gradient of dy. */
    private static float[][] layerNormAll(Backend b, Tensor x, Tensor gamma, Tensor dy) {
        int rows = x.dim(0), dim = x.dim(1);
        Tensor y = Tensor.zeros(rows, dim), mean = Tensor.zeros(rows), rstd = Tensor.zeros(rows);
        b.layerNormForward(x, gamma, null, 1e-5f, y, mean, rstd);
        Tensor dx = Tensor.zeros(rows, dim), dg = Tensor.zeros(dim), db = Tensor.zeros(dim), bg = Tensor.zeros(dim);
        b.layerNormBackward(dy, x, gamma, mean, rstd, dx, dg, db);
        b.biasGradient(dy, bg);
        return new float[][] {y.toArray(), mean.toArray(), rstd.toArray(), dx.toArray(), dg.toArray(), db.toArray(), bg.toArray()};
    }

    private static float[] difference(float[] after, float[] before) {
        float[] d = new float[after.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = after[i] - before[i];
        }
        return d;
    }

    private static int[] shape(int batch, int r, int c) {
        return batch == 0 ? new int[] {r, c} : new int[] {batch, r, c};
    }
}
