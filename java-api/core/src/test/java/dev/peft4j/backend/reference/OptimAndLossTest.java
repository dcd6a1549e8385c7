package dev.peft4j.backend.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.ValidatingBackend;
import dev.peft4j.backend.DropoutHash;
import dev.peft4j.testing.Poison;
import dev.peft4j.testing.RandomTensors;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** AdamW, gradient clipping, the masked BitFit update, dropout and cross-entropy against hand-derived values. */
class OptimAndLossTest {
    /** Through the argument checks, so every call here also follows the contract. */
    private final Backend be = new ValidatingBackend(new ReferenceBackend());

    /**
     * θ=1, g=0.5, m=v=0, t=1: m=(1−β1)·0.5, v=(1−β2)·0.25, m̂=0.5, v̂=0.25, θ = 1 − 0.1·(0.5/(0.5+1e-8) + 0.01·1).
     * β1, β2 are the float32 values 0.9f and 0.999f, so (1−β1) is 0.1 only to float precision.
     */
    @Test
    void adamWFirstStepByHand() {
        Tensor p = Tensor.of(new float[] {1f}, 1);
        Tensor g = Tensor.of(new float[] {0.5f}, 1);
        Tensor m = Tensor.zeros(1);
        Tensor v = Tensor.zeros(1);
        be.adamW(new Tensor[] {p}, new Tensor[] {g}, new Tensor[] {m}, new Tensor[] {v}, AdamW.withLr(0.1f), 1);
        assertEquals(1.0 - 0.1 * (0.5 / (0.5 + 1e-8) + 0.01), p.data()[0], 1e-7);
        assertEquals((1 - (double) 0.9f) * 0.5, m.data()[0], 1e-9);
        assertEquals((1 - (double) 0.999f) * 0.25, v.data()[0], 1e-11);
    }

    /** A later step with nonzero state, on two tensors, against the AdamW formula evaluated here. */
    @Test
    void adamWLaterStepMatchesFormula() {
        RandomTensors rnd = new RandomTensors(5);
        AdamW hp = new AdamW(0.01f, 0.8f, 0.95f, 1e-6f, 0.1f);
        long step = 4;
        Tensor[] params = {rnd.uniform(3, 5), rnd.uniform(7)};
        Tensor[] grads = {rnd.uniform(3, 5), rnd.uniform(7)};
        Tensor[] ms = {rnd.uniform(3, 5), rnd.uniform(7)};
        Tensor[] vs = {rnd.uniform(0f, 1f, 3, 5), rnd.uniform(0f, 1f, 7)};
        float[][] p0 = {params[0].toArray(), params[1].toArray()};
        float[][] m0 = {ms[0].toArray(), ms[1].toArray()};
        float[][] v0 = {vs[0].toArray(), vs[1].toArray()};
        be.adamW(params, grads, ms, vs, hp, step);
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < p0[t].length; i++) {
                double gi = grads[t].data()[i];
                double b1 = 0.8f;
                double b2 = 0.95f;
                double mi = b1 * m0[t][i] + (1 - b1) * gi;
                double vi = b2 * v0[t][i] + (1 - b2) * gi * gi;
                double mHat = mi / (1 - b1 * b1 * b1 * b1);
                double vHat = vi / (1 - b2 * b2 * b2 * b2);
                double expected = p0[t][i] - (double) 0.01f * (mHat / (Math.sqrt(vHat) + (double) 1e-6f)
                        + (double) 0.1f * p0[t][i]);
                assertEquals(expected, params[t].data()[i], 1e-6, "param " + t + "[" + i + "]");
                assertEquals(mi, ms[t].data()[i], 1e-6);
                assertEquals(vi, vs[t].data()[i], 1e-6);
            }
        }
    }

    @Test
    void clipGradNormScalesOnlyAboveTheLimit() {
        Tensor a = Tensor.of(new float[] {3f}, 1);
        Tensor b = Tensor.of(new float[] {0f, 4f}, 2);
        assertEquals(5f, be.clipGradNorm(new Tensor[] {a, b}, 10f), 1e-6f);
        assertArrayEquals(new float[] {3f}, a.data());
        assertArrayEquals(new float[] {0f, 4f}, b.data());
        assertEquals(5f, be.clipGradNorm(new Tensor[] {a, b}, 1f), 1e-6f);
        double f = 1.0 / (5.0 + 1e-6);
        assertEquals(3 * f, a.data()[0], 1e-7);
        assertEquals(4 * f, b.data()[1], 1e-7);
        assertEquals(0f, b.data()[0]);
    }

    @Test
    void maskedBiasUpdateLeavesMaskedOffEntriesUnchanged() {
        RandomTensors rnd = new RandomTensors(6);
        Tensor dy = rnd.uniform(3, 2, 4);
        Tensor bias = rnd.uniform(4);
        Tensor mask = Tensor.of(new float[] {1, 0, 1, 0}, 4);
        Tensor m = rnd.uniform(4);
        Tensor v = rnd.uniform(0f, 1f, 4);
        Tensor db = Poison.nan(4);
        float[] b0 = bias.toArray();
        float[] m0 = m.toArray();
        float[] v0 = v.toArray();
        AdamW hp = AdamW.withLr(0.05f);
        be.maskedBiasUpdate(dy, bias, mask, m, v, hp, 3, db);
        // the same update done by hand: column sums, then adamW on a copy of every entry
        float[] g = new float[4];
        for (int r = 0; r < 6; r++) {
            for (int i = 0; i < 4; i++) {
                g[i] += dy.data()[r * 4 + i];
            }
        }
        Tensor pAll = Tensor.of(b0, 4);
        Tensor mAll = Tensor.of(m0, 4);
        Tensor vAll = Tensor.of(v0, 4);
        be.adamW(new Tensor[] {pAll}, new Tensor[] {Tensor.of(g, 4)}, new Tensor[] {mAll}, new Tensor[] {vAll}, hp, 3);
        for (int i = 0; i < 4; i++) {
            assertEquals(g[i], db.data()[i], 1e-5, "db[" + i + "]");
            if (mask.data()[i] == 0f) {
                assertEquals(b0[i], bias.data()[i], "bias[" + i + "] is masked off");
                assertEquals(m0[i], m.data()[i]);
                assertEquals(v0[i], v.data()[i]);
            } else {
                assertEquals(pAll.data()[i], bias.data()[i], 1e-6, "bias[" + i + "]");
                assertEquals(mAll.data()[i], m.data()[i], 1e-6);
                assertEquals(vAll.data()[i], v.data()[i], 1e-6);
                assertTrue(bias.data()[i] != b0[i], "an updated entry moves");
            }
        }
    }

    @Test
    void biasGradientSumsRows() {
        Tensor dy = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor db = Poison.nan(2);
        be.biasGradient(dy, db);
        assertArrayEquals(new float[] {9, 12}, db.data());
    }

    @Test
    void dropoutMaskFollowsTheHashAndKeepsAboutOneMinusP() {
        int n = 20_000;
        float p = 0.3f;
        long seed = 1234;
        Tensor x = new RandomTensors(7).uniform(n);
        float[] x0 = x.toArray();
        Tensor mask = Poison.nan(n);
        be.dropoutForward(x, p, seed, x, mask); // y aliases x
        int kept = 0;
        float keep = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            boolean expectKeep = DropoutHash.uniform(seed, i) >= p;
            assertEquals(expectKeep ? keep : 0f, mask.data()[i], 1e-6f, "mask[" + i + "]");
            assertEquals(x0[i] * mask.data()[i], x.data()[i], 1e-6f, "y[" + i + "]");
            kept += expectKeep ? 1 : 0;
        }
        double sigma = Math.sqrt(n * p * (1 - p));
        assertEquals(n * (1 - p), kept, 5 * sigma, "kept fraction");
        Tensor y = Poison.nan(n);
        be.dropoutForward(Tensor.of(x0, n), 0f, seed, y, null);
        assertArrayEquals(x0, y.data(), "p = 0 keeps everything unchanged");
    }

    /** Rows [0,0,0] → loss ln 3; [ln 2, 0] with target 0 → ln(3/2); an ignored row counts for nothing. */
    @Test
    void crossEntropyByHandWithIgnoredRow() {
        float ln2 = (float) Math.log(2);
        Tensor logits = Tensor.of(new float[] {0, 0, 0, 5, -1, 2, ln2, 0, 0}, 3, 3);
        int[] targets = {1, Backend.IGNORE_INDEX, 0};
        Tensor probs = Poison.nan(3, 3);
        float loss = be.crossEntropyForward(logits, targets, probs);
        double pTarget2 = Math.exp(ln2) / (Math.exp(ln2) + 2);
        assertEquals((Math.log(3) - Math.log(pTarget2)) / 2, loss, 1e-6);
        assertEquals(1.0 / 3, probs.data()[0], 1e-7);
        double z = Math.exp(5) + Math.exp(-1) + Math.exp(2);
        assertEquals(Math.exp(5) / z, probs.data()[3], 1e-7, "probs of an ignored row are still the softmax");
        Tensor d = Poison.nan(3, 3);
        be.crossEntropyBackward(probs, targets, 2f, d);
        assertEquals(2 * (1.0 / 3 - 1) / 2, d.data()[1], 1e-7);
        assertEquals(2 * (1.0 / 3) / 2, d.data()[0], 1e-7);
        for (int c = 0; c < 3; c++) {
            assertEquals(0f, d.data()[3 + c], "ignored row");
        }
        assertEquals(0f, be.crossEntropyForward(logits, new int[] {-100, -100, -100}, probs));
    }
}
