package dev.peft4j.backend.reference;

import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.ValidatingBackend;
import dev.peft4j.testing.Errors;
import dev.peft4j.testing.Poison;
import dev.peft4j.testing.RandomTensors;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Attention forward semantics: masks, causality, prefixes and the empty-row rule. */
class AttentionForwardTest {
    /** Through the argument checks, so every call here also follows the contract. */
    private final Backend be = new ValidatingBackend(new ReferenceBackend());

    /** Builds each query's visible key/value list explicitly, then a textbook softmax-weighted sum. */
    private static float[][] naive(float[] q, float[] k, float[] v, float[] pk, float[] pv, float[] mask,
                                   boolean causal, int batch, int seq, int heads, int dh, int prefixLen) {
        int width = heads * dh;
        float[] out = new float[batch * seq * width];
        float[] lse = new float[batch * heads * seq];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < seq; t++) {
                    List<double[]> keys = new ArrayList<>();
                    List<double[]> values = new ArrayList<>();
                    for (int l = 0; l < prefixLen; l++) {
                        keys.add(slice(pk, l * width + h * dh, dh));
                        values.add(slice(pv, l * width + h * dh, dh));
                    }
                    for (int j = 0; j < seq; j++) {
                        boolean visible = (mask == null || mask[b * seq + j] == 1f) && (!causal || j <= t);
                        if (visible) {
                            keys.add(slice(k, (b * seq + j) * width + h * dh, dh));
                            values.add(slice(v, (b * seq + j) * width + h * dh, dh));
                        }
                    }
                    double[] query = slice(q, (b * seq + t) * width + h * dh, dh);
                    double sumExp = 0;
                    double[] weights = new double[keys.size()];
                    for (int j = 0; j < keys.size(); j++) {
                        double dot = 0;
                        for (int e = 0; e < dh; e++) {
                            dot += query[e] * keys.get(j)[e];
                        }
                        weights[j] = Math.exp(dot / Math.sqrt(dh));
                        sumExp += weights[j];
                    }
                    for (int e = 0; e < dh; e++) {
                        double acc = 0;
                        for (int j = 0; j < keys.size(); j++) {
                            acc += weights[j] / sumExp * values.get(j)[e];
                        }
                        out[(b * seq + t) * width + h * dh + e] = keys.isEmpty() ? 0f : (float) acc;
                    }
                    lse[(b * heads + h) * seq + t] = (float) Math.log(sumExp); // log 0 = −∞ when empty
                }
            }
        }
        return new float[][] {out, lse};
    }

    private static double[] slice(float[] src, int offset, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = src[offset + i];
        }
        return d;
    }

    @ParameterizedTest(name = "L={0} masked={1} causal={2}")
    @CsvSource({"0, false, false", "0, true, true", "2, true, false", "3, false, true", "1, true, true"})
    void matchesNaiveAttention(int prefixLen, boolean masked, boolean causal) {
        int batch = 2;
        int seq = 5;
        int heads = 2;
        int dh = 3;
        RandomTensors rnd = new RandomTensors(77);
        Tensor q = rnd.uniform(-2f, 2f, batch, seq, heads * dh);
        Tensor k = rnd.uniform(-2f, 2f, batch, seq, heads * dh);
        Tensor v = rnd.uniform(batch, seq, heads * dh);
        Tensor pk = prefixLen == 0 ? null : rnd.uniform(prefixLen, heads * dh);
        Tensor pv = prefixLen == 0 ? null : rnd.uniform(prefixLen, heads * dh);
        Tensor mask = masked ? Tensor.of(new float[] {1, 1, 1, 0, 0, 0, 1, 1, 1, 1}, batch, seq) : null;
        Tensor out = Poison.nan(batch, seq, heads * dh);
        Tensor lse = Poison.nan(batch, heads, seq);
        be.attentionForward(new AttentionInputs(q, k, v, pk, pv, mask, causal, heads), out, lse);
        float[][] ref = naive(q.data(), k.data(), v.data(), pk == null ? null : pk.data(), pv == null ? null : pv.data(),
                mask == null ? null : mask.data(), causal, batch, seq, heads, dh, prefixLen);
        Errors.assertClose("attention out", out.toArray(), ref[0], 1e-6);
        float[] lseGot = lse.toArray();
        for (int i = 0; i < lseGot.length; i++) {
            if (ref[1][i] == Float.NEGATIVE_INFINITY) {
                assertEquals(Float.NEGATIVE_INFINITY, lseGot[i], "lse[" + i + "] of a query that sees nothing");
            } else {
                assertEquals(ref[1][i], lseGot[i], 1e-6 * Math.max(1, Math.abs(ref[1][i])), "lse[" + i + "]");
            }
        }
    }

    @Test
    void maskHidingEverythingGivesZeroOutputAndMinusInfinityLse() {
        RandomTensors rnd = new RandomTensors(78);
        Tensor q = rnd.uniform(1, 3, 4);
        Tensor k = rnd.uniform(1, 3, 4);
        Tensor v = rnd.uniform(1, 3, 4);
        Tensor mask = Tensor.zeros(1, 3);
        Tensor out = Poison.nan(1, 3, 4);
        Tensor lse = Poison.nan(1, 2, 3);
        be.attentionForward(new AttentionInputs(q, k, v, null, null, mask, false, 2), out, lse);
        for (float o : out.data()) {
            assertEquals(0f, o);
        }
        for (float l : lse.data()) {
            assertEquals(Float.NEGATIVE_INFINITY, l);
        }
        Tensor dOut = rnd.uniform(1, 3, 4);
        Tensor dq = Poison.nan(1, 3, 4);
        Tensor dk = Poison.nan(1, 3, 4);
        Tensor dv = Poison.nan(1, 3, 4);
        be.attentionBackward(dOut, new AttentionInputs(q, k, v, null, null, mask, false, 2), out, lse, AttentionGradients.none().withDq(dq).withDk(dk).withDv(dv));
        for (Tensor g : new Tensor[] {dq, dk, dv}) {
            for (float x : g.data()) {
                assertEquals(0f, x, "a query that sees nothing has zero gradient everywhere");
            }
        }
    }

    /** With every sequence key masked, the queries attend to the prefix only; one prefix row is copied out. */
    @Test
    void prefixStaysVisibleUnderAFullMask() {
        RandomTensors rnd = new RandomTensors(79);
        Tensor q = rnd.uniform(1, 2, 3);
        Tensor k = rnd.uniform(1, 2, 3);
        Tensor v = rnd.uniform(1, 2, 3);
        Tensor pk = rnd.uniform(1, 3);
        Tensor pv = Tensor.of(new float[] {0.25f, -0.5f, 2f}, 1, 3);
        Tensor out = Poison.nan(1, 2, 3);
        Tensor lse = Poison.nan(1, 1, 2);
        be.attentionForward(new AttentionInputs(q, k, v, pk, pv, Tensor.zeros(1, 2), true, 1), out, lse);
        Errors.assertClose("attention to a single prefix", out.toArray(), new float[] {0.25f, -0.5f, 2f, 0.25f, -0.5f, 2f}, 1e-7);
        double s0 = (q.data()[0] * pk.data()[0] + q.data()[1] * pk.data()[1] + q.data()[2] * pk.data()[2]) / Math.sqrt(3);
        assertEquals(s0, lse.data()[0], 1e-6, "lse of one visible key is its scaled score");
    }

    /** Causal, no prefix, nothing masked: query 0 sees only key 0, so out[0] = v[0] exactly. */
    @Test
    void causalFirstQueryCopiesFirstValue() {
        RandomTensors rnd = new RandomTensors(80);
        Tensor q = rnd.uniform(1, 3, 2);
        Tensor k = rnd.uniform(1, 3, 2);
        Tensor v = rnd.uniform(1, 3, 2);
        Tensor out = Poison.nan(1, 3, 2);
        be.attentionForward(new AttentionInputs(q, k, v, null, null, null, true, 1), out, Poison.nan(1, 1, 3));
        assertEquals(v.data()[0], out.data()[0], 1e-7);
        assertEquals(v.data()[1], out.data()[1], 1e-7);
    }
}
