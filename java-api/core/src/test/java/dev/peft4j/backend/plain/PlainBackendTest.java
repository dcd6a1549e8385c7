package dev.peft4j.backend.plain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The plain backend's own kernels (the matrix products) against the reference at the float32 tolerance, on shapes
 * that are not multiples of the column block and with 3 threads so the row split runs. The tests/ conformance suite
 * covers every kernel again.
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

    private static int[] shape(int batch, int r, int c) {
        return batch == 0 ? new int[] {r, c} : new int[] {batch, r, c};
    }
}
