package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.backend.DropoutHash;
import dev.peft4j.io.TensorData;
import dev.peft4j.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The POOLER pooling and a classifier on it against the equations computed here in double from the encoder's token
 * states: pooled_b = tanh(h_b0 W_pᵀ + b_p) (transformers' BertPooler), logits = pooled W_cᵀ + b_c; in training,
 * logits = drop_p(pooled) W_cᵀ + b_c (BertForSequenceClassification's dropout before its classifier).
 */
class SequencePoolingTest {
    static final BertConfig POOLED = new BertConfig(11, 8, 2, 2, 12, 6, 2, 1e-5f, Activation.GELU, 0f, Pooling.POOLER);

    @ParameterizedTest
    @ValueSource(strings = {"reference", "plain"})
    void poolerLogitsFollowTheEquations(String backend) {
        logitsFollowTheEquations(backend, POOLED, false);
    }

    /** Training with p = 0.5: the pooled vector is dropped with the mask DropoutHash gives the head's site seed. */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "plain"})
    void poolerHeadIsDroppedInTraining(String backend) {
        BertConfig dropped = new BertConfig(11, 8, 2, 2, 12, 6, 2, 1e-5f, Activation.GELU, 0.5f, Pooling.POOLER);
        logitsFollowTheEquations(backend, dropped, true);
    }

    private static void logitsFollowTheEquations(String backend, BertConfig config, boolean training) {
        long seed = 42;
        try (Backend be = Backends.create(backend);
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, config, 7), 3, 11)) {
            BertModel encoder = model.encoder();
            float[] wp = encoder.parameter(BertModel.POOLER + ".weight").value().toArray();
            for (int i = 0; i < wp.length; i++) {
                wp[i] *= 40f; // far from tanh's linear range
            }
            encoder.parameter(BertModel.POOLER + ".weight").value().copyFrom(wp);
            float[] bp = encoder.parameter(BertModel.POOLER + ".bias").value().toArray();
            float[] wc = model.parameters().stream().filter(p -> p.name().equals("classifier.weight")).findFirst()
                    .orElseThrow().value().toArray();
            float[] bc = model.parameters().stream().filter(p -> p.name().equals("classifier.bias")).findFirst()
                    .orElseThrow().value().toArray();
            Batch batch = ModelGradientTest.batch(Pooling.POOLER);
            int b = batch.batch();
            int t = batch.seqLen();
            int d = config.hidden();
            float[] logits = model.logits(batch, training, seed).toArray();
            float[] h;
            Pass pass;
            try (Tensor mask = be.fromHost(batch.mask(), b, t)) {
                pass = new Pass(b, t, mask, training, seed);
                h = encoder.forward(batch.ids(), batch.types(), pass).toArray(); // the same encoder masks
            }
            long headSeed = pass.siteSeed(config.layers(), SequenceClassifier.HEAD_DROPOUT_SITE);
            float p = config.hiddenDropout();
            int dropped = 0;
            double largestZ = 0;
            for (int s = 0; s < b; s++) {
                double[] pooled = new double[d];
                for (int o = 0; o < d; o++) {
                    double z = bp[o];
                    for (int i = 0; i < d; i++) {
                        z += (double) h[s * t * d + i] * wp[o * d + i];
                    }
                    largestZ = Math.max(largestZ, Math.abs(z));
                    pooled[o] = Math.tanh(z);
                    if (training) {
                        boolean keep = DropoutHash.uniform(headSeed, (long) s * d + o) >= p;
                        pooled[o] *= keep ? DropoutHash.keepScale(p) : 0;
                        dropped += keep ? 0 : 1;
                    }
                }
                for (int c = 0; c < 3; c++) {
                    double want = bc[c];
                    for (int i = 0; i < d; i++) {
                        want += pooled[i] * wc[c * d + i];
                    }
                    assertEquals(want, logits[s * 3 + c], 1e-5 + 1e-4 * Math.abs(want), backend + " logit " + s + "," + c);
                }
            }
            assertTrue(largestZ > 1, "tanh stayed near its linear range (|z| ≤ " + largestZ + ")");
            if (training) {
                assertTrue(dropped > 0 && dropped < b * d, dropped + " of " + b * d + " pooled entries dropped");
            }
        }
    }

    /** One pooling object sees batches of other sizes and lengths: each forward reads, and each backward writes, the
     *  [CLS] rows b·T of that batch (the row list is kept only while B and T stay the same). */
    @Test
    void clsRowsFollowEachBatchShape() {
        BertConfig cls = new BertConfig(11, 4, 1, 2, 6, 8, 2, 1e-5f, Activation.GELU, 0f, Pooling.CLS);
        try (Backend be = Backends.create("reference");
             SequencePooling pooling = new SequencePooling(BertModel.random(be, cls, 3))) {
            int d = cls.hidden();
            int[][] shapes = {{3, 5}, {3, 5}, {3, 7}, {2, 7}, {4, 2}};
            for (int[] shape : shapes) {
                int b = shape[0];
                int t = shape[1];
                float[] h = new float[b * t * d];
                for (int i = 0; i < h.length; i++) {
                    h[i] = i; // row r holds r·d … r·d + d − 1
                }
                float[] dPooled = new float[b * d];
                for (int i = 0; i < dPooled.length; i++) {
                    dPooled[i] = 1000 + i;
                }
                try (Tensor ht = be.fromHost(h, b * t, d); Tensor dp = be.fromHost(dPooled, b, d)) {
                    float[] pooled = pooling.forward(ht, null, b, t).toArray();
                    float[] dh = pooling.backward(dp).toArray();
                    for (int s = 0; s < b; s++) {
                        for (int j = 0; j < d; j++) {
                            assertEquals(h[s * t * d + j], pooled[s * d + j], "b=" + b + " t=" + t + " sequence " + s);
                        }
                    }
                    for (int r = 0; r < b * t; r++) {
                        for (int j = 0; j < d; j++) {
                            float want = r % t == 0 ? dPooled[(r / t) * d + j] : 0f;
                            assertEquals(want, dh[r * d + j], "b=" + b + " t=" + t + " dh row " + r);
                        }
                    }
                }
            }
        }
    }

    @Test
    void poolerIsFrozenAndCountedInTheBase() {
        try (Backend be = Backends.create("reference");
             BertModel pooled = BertModel.random(be, POOLED, 7);
             BertModel cls = BertModel.random(be, new BertConfig(11, 8, 2, 2, 12, 6, 2, 1e-5f, Activation.GELU, 0f,
                     Pooling.CLS), 7)) {
            assertEquals(cls.baseParameterCount() + 8 * 8 + 8, pooled.baseParameterCount());
            assertTrue(pooled.trainableParameters().isEmpty(), "the pooler must be frozen");
            assertEquals(null, cls.parameter(BertModel.POOLER + ".weight"));
        }
    }

    @Test
    void poolerWithoutItsWeightsIsRefusedByName() {
        Map<String, TensorData> weights = new HashMap<>(RandomWeights.bert(POOLED, 7));
        weights.remove(BertModel.POOLER + ".weight");
        try (Backend be = Backends.create("reference")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BertModel.create(be, POOLED, weights));
            assertTrue(e.getMessage().contains("pooler.dense.weight"), e.getMessage());
        }
    }
}
