package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class PointwiseKernelsTest extends KernelTestBase {

    /**
     * Far tails, tiny values and infinities, each repeated so that vector bodies and scalar tails both see it:
     * the reference's value within 2e-5 relative (the float erfc's error out in GELU's left tail) plus a floor of
     * 1e-20 (forward) or 2e-7 (derivative), or the same NaN or infinity.
     */
    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationsKeepTheReferencesValuesInTheTailsAndAtInfinity(Activation f) {
        float[] edge = {-1e30f, -40f, -14.5f, -9f, -5.5f, -1f, -1e-20f, 0f, 1e-20f, 1f, 5.5f, 9f, 14.5f, 40f, 1e30f,
            Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        int n = edge.length * 5;
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = edge[i % edge.length];
        }
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        Tensor y = poisoned(n), yRef = zeros(n), dx = poisoned(n), dxRef = zeros(n);
        CPU.activationForward(f, Tensor.of(z.clone(), n), y);
        REF.activationForward(f, Tensor.of(z.clone(), n), yRef);
        CPU.activationBackward(f, Tensor.of(ones.clone(), n), Tensor.of(z.clone(), n), dx);
        REF.activationBackward(f, Tensor.of(ones.clone(), n), Tensor.of(z.clone(), n), dxRef);
        for (int i = 0; i < n; i++) {
            sameValue(f + " forward at " + z[i] + " (element " + i + ")", yRef.toArray()[i], y.toArray()[i], 1e-20);
            sameValue(f + " derivative at " + z[i] + " (element " + i + ")", dxRef.toArray()[i], dx.toArray()[i], 2e-7);
        }
    }

    private static void sameValue(String what, float expected, float actual, double floor) {
        if (Float.isNaN(expected) || Float.isNaN(actual) || Float.isInfinite(expected)) {
            assertEquals(expected, actual, what);
            return;
        }
        org.junit.jupiter.api.Assertions.assertTrue(Math.abs((double) actual - expected) <= 2e-5 * Math.abs(expected) + floor,
                what + ": got " + actual + ", reference " + expected);
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationsMatchReference(Activation f) {
        int n = 4099;
        float[] xs = rnd.uniformArray(-9f, 9f, n);
        xs[0] = 0f;
        xs[1] = 1f;
        xs[2] = -1f;
        xs[3] = 1.4142135f;
        Tensor x = Tensor.of(xs, n);
        Tensor y = poisoned(n), yR = zeros(n);
        CPU.activationForward(f, x, y);
        REF.activationForward(f, x, yR);
        close(f + " forward", y, yR);
        Tensor dy = rnd.uniform(n);
        Tensor dx = poisoned(n), dxR = zeros(n);
        CPU.activationBackward(f, dy, x, dx);
        REF.activationBackward(f, dy, x, dxR);
        close(f + " backward", dx, dxR);
    }


    @ParameterizedTest(name = "rows={0} D={1}")
    @CsvSource({"1,1", "7,33", "127,384"})
    void layerNormSoftmaxAndScaleFamilies(int rows, int d) {
        Tensor x = rnd.uniform(-2f, 3f, rows, d), g = rnd.uniform(d), b = rnd.uniform(d), dy = rnd.uniform(rows, d);
        Tensor y = poisoned(rows, d), mean = poisoned(rows), rstd = poisoned(rows);
        Tensor yR = zeros(rows, d), meanR = zeros(rows), rstdR = zeros(rows);
        CPU.layerNormForward(x, g, b, 1e-5f, y, mean, rstd);
        REF.layerNormForward(x, g, b, 1e-5f, yR, meanR, rstdR);
        close("layerNorm y", y, yR);
        close("layerNorm mean", mean, meanR);
        close("layerNorm rstd", rstd, rstdR);
        Tensor dx = poisoned(rows, d), dg = poisoned(d), db = poisoned(d);
        Tensor dxR = zeros(rows, d), dgR = zeros(d), dbR = zeros(d);
        CPU.layerNormBackward(dy, x, g, meanR, rstdR, dx, dg, db);
        REF.layerNormBackward(dy, x, g, meanR, rstdR, dxR, dgR, dbR);
        if (d > 1) {
            close("layerNorm dx", dx, dxR);
        }
        close("layerNorm dGamma", dg, dgR);
        close("layerNorm dBeta", db, dbR);

        Tensor p = poisoned(rows, d), pR = zeros(rows, d);
        CPU.softmaxForward(x, p);
        REF.softmaxForward(x, pR);
        close("softmax", p, pR);
        Tensor sdx = poisoned(rows, d), sdxR = zeros(rows, d);
        CPU.softmaxBackward(dy, pR, sdx);
        REF.softmaxBackward(dy, pR, sdxR);
        if (d > 1) {
            close("softmax backward", sdx, sdxR);
        }

        Tensor bg = poisoned(d), bgR = zeros(d);
        CPU.biasGradient(dy, bg);
        REF.biasGradient(dy, bgR);
        close("bias gradient", bg, bgR);
    }

    @ParameterizedTest(name = "N={0} C={1}")
    @CsvSource({"1,2", "7,33", "127,384"})
    void crossEntropy(int n, int c) {
        Tensor logits = rnd.uniform(-4f, 4f, n, c);
        int[] targets = rnd.ints(c, n);
        if (n > 1) {
            targets[1] = dev.peft4j.backend.Backend.IGNORE_INDEX;
        }
        Tensor probs = poisoned(n, c), probsR = zeros(n, c);
        float loss = CPU.crossEntropyForward(logits, targets, probs);
        float lossR = REF.crossEntropyForward(logits, targets, probsR);
        assertEquals(lossR, loss, 1e-5 * Math.abs(lossR), "cross-entropy loss");
        close("cross-entropy probs", probs, probsR);
        Tensor dl = poisoned(n, c), dlR = zeros(n, c);
        CPU.crossEntropyBackward(probsR, targets, 0.5f, dl);
        REF.crossEntropyBackward(probsR, targets, 0.5f, dlR);
        close("cross-entropy dLogits", dl, dlR);
    }

    @Test
    void embeddingAndMeanPool() {
        int v = 31, d = 33, b = 3, t = 7;
        Tensor table = rnd.uniform(v, d);
        int[] ids = rnd.ints(v, b * t);
        ids[1] = ids[0];
        Tensor out = poisoned(b * t, d), outR = zeros(b * t, d);
        CPU.embeddingForward(table, ids, out);
        REF.embeddingForward(table, ids, outR);
        close("embedding", out, outR);
        Tensor dOut = rnd.uniform(b * t, d);
        Tensor dt = poisoned(v, d), dtR = zeros(v, d);
        CPU.embeddingBackward(dOut, ids, dt);
        REF.embeddingBackward(dOut, ids, dtR);
        close("embedding backward", dt, dtR);

        Tensor x = rnd.uniform(b, t, d);
        float[] m = rnd.binary(0.6, b, t).toArray();
        for (int i = 0; i < t; i++) {
            m[t + i] = 0f; // one fully padded sequence
        }
        Tensor mask = Tensor.of(m, b, t);
        for (Tensor mk : new Tensor[] {mask, null}) {
            Tensor p = poisoned(b, d), pR = zeros(b, d);
            CPU.meanPoolForward(x, mk, p);
            REF.meanPoolForward(x, mk, pR);
            close("mean pool", p, pR);
            Tensor dp = rnd.uniform(b, d);
            Tensor dx = poisoned(b, t, d), dxR = zeros(b, t, d);
            CPU.meanPoolBackward(dp, mk, dx);
            REF.meanPoolBackward(dp, mk, dxR);
            close("mean pool backward", dx, dxR);
        }
    }

    @ParameterizedTest(name = "n={0} p={1}")
    @CsvSource({"1,0.1", "127,0.0", "100003,0.3", "40001,0.5", "33,0.9999", "70000,0.1"})
    void dropoutIsBitIdenticalToReference(int n, float p) {
        Tensor x = rnd.uniform(n);
        Tensor y = poisoned(n), mask = poisoned(n), yR = zeros(n), maskR = zeros(n);
        CPU.dropoutForward(x, p, 1234567L, y, mask);
        REF.dropoutForward(x, p, 1234567L, yR, maskR);
        assertArrayEquals(maskR.toArray(), mask.toArray(), "dropout mask");
        assertArrayEquals(yR.toArray(), y.toArray(), "dropout y");
    }

    @Test
    void adamWClipAndMaskedBias() {
        AdamW hp = new AdamW(1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f);
        int[] sizes = {1, 33, 40001};
        Tensor[] p = new Tensor[3], g = new Tensor[3], m = new Tensor[3], v = new Tensor[3];
        Tensor[] pR = new Tensor[3], mR = new Tensor[3], vR = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            p[i] = rnd.uniform(sizes[i]);
            g[i] = rnd.uniform(sizes[i]);
            m[i] = rnd.uniform(-0.1f, 0.1f, sizes[i]);
            v[i] = rnd.uniform(0.01f, 0.1f, sizes[i]);
            pR[i] = copyOf(p[i]);
            mR[i] = copyOf(m[i]);
            vR[i] = copyOf(v[i]);
        }
        CPU.adamW(p, g, m, v, hp, 3);
        REF.adamW(pR, g, mR, vR, hp, 3);
        for (int i = 0; i < 3; i++) {
            close("adamW param " + i, p[i], pR[i]);
            close("adamW m " + i, m[i], mR[i]);
            close("adamW v " + i, v[i], vR[i]);
        }

        Tensor[] grads = {rnd.uniform(77), rnd.uniform(5, 9)};
        Tensor[] gradsR = {copyOf(grads[0]), copyOf(grads[1])};
        float norm = CPU.clipGradNorm(grads, 0.5f);
        float normR = REF.clipGradNorm(gradsR, 0.5f);
        assertEquals(normR, norm, 1e-5 * normR, "gradient norm");
        close("clipped grad 0", grads[0], gradsR[0]);
        close("clipped grad 1", grads[1], gradsR[1]);

        int d = 33;
        Tensor dy = rnd.uniform(7, d), bias = rnd.uniform(d), mask = rnd.binary(0.5, d);
        Tensor bm = rnd.uniform(-0.1f, 0.1f, d), bv = rnd.uniform(0.01f, 0.1f, d);
        Tensor biasR = copyOf(bias), bmR = copyOf(bm), bvR = copyOf(bv);
        Tensor db = poisoned(d), dbR = zeros(d);
        CPU.maskedBiasUpdate(dy, bias, mask, bm, bv, hp, 2, db);
        REF.maskedBiasUpdate(dy, biasR, mask, bmR, bvR, hp, 2, dbR);
        close("bitfit bias", bias, biasR);
        close("bitfit m", bm, bmR);
        close("bitfit v", bv, bvR);
        close("bitfit db", db, dbR);
    }

    @Test
    void elementwise() {
        int n = 70001;
        Tensor a = rnd.uniform(n), b = rnd.uniform(n);
        Tensor out = poisoned(n), outR = zeros(n);
        CPU.add(a, b, out);
        REF.add(a, b, outR);
        close("add", out, outR);
        CPU.mul(a, b, out);
        REF.mul(a, b, outR);
        close("mul", out, outR);
        Tensor y = copyOf(b), yR = copyOf(b);
        CPU.axpy(0.3f, a, y);
        REF.axpy(0.3f, a, yR);
        close("axpy", y, yR);
        Tensor c = poisoned(n);
        CPU.copy(a, c);
        assertArrayEquals(a.toArray(), c.toArray(), "copy");
    }
}
