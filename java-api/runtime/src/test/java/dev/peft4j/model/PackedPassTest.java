package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PrefixSpec;
import dev.peft4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A packed pass ({@link PackedRows}: only the real rows through the row-wise layers) gives, at every real row, the
 * same last hidden state as the padded pass, with every PEFT method attached and its parameters moved off their
 * start (so LoRA, gates and (IA)³ act), and refuses what it cannot do.
 */
class PackedPassTest {
    private static final int B = 3;
    private static final int T = 6;
    private static final int[] LENGTHS = {4, 6, 2};

    /** ids {@code [B·T]} of sequences of {@link #LENGTHS}, padding id 0; fresh random tokens each call. */
    private static int[] ids(SplittableRandom rng) {
        int[] ids = new int[B * T];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < LENGTHS[b]; t++) {
                ids[b * T + t] = 1 + rng.nextInt(ModelGradientTest.TINY.vocabSize() - 1);
            }
        }
        return ids;
    }

    private static float[] mask() {
        float[] mask = new float[B * T];
        for (int b = 0; b < B; b++) {
            Arrays.fill(mask, b * T, b * T + LENGTHS[b], 1f);
        }
        return mask;
    }

    /** Every trainable parameter moved by N(0, 0.3) noise, so no module sits at its identity start. */
    private static void perturb(List<Parameter> params, SplittableRandom rng) {
        for (Parameter p : params) {
            if (!p.trainable()) {
                continue;
            }
            float[] v = p.value().toArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (0.3 * rng.nextGaussian());
            }
            p.value().copyFrom(v);
        }
    }

    private static PeftPlan plan(String which) {
        return switch (which) {
            case "everything" -> ModelGradientTest.everything();
            case "everything-gated" -> GateTest.everythingGated();
            case "reparameterised-prefix" -> PeftPlan.uniform(2, LayerPlan.NONE.withPrefix(new PrefixSpec(2, 4, true)));
            default -> throw new IllegalArgumentException(which);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference/everything", "reference/everything-gated", "reference/reparameterised-prefix",
            "plain/everything-gated"})
    void packedHiddenStatesEqualPaddedOnesAtEveryRealRow(String backendAndPlan) {
        String[] parts = backendAndPlan.split("/");
        SplittableRandom rng = new SplittableRandom(backendAndPlan.hashCode());
        int d = ModelGradientTest.TINY.hidden();
        try (Backend be = Backends.create(parts[0]); BertModel m = BertModel.random(be, ModelGradientTest.TINY, 9)) {
            m.applyPlan(plan(parts[1]), 3);
            perturb(m.parameters(), rng);
            int[] ids = ids(rng);
            int[] types = new int[B * T];
            for (int i = 0; i < types.length; i++) {
                types[i] = rng.nextInt(2);
            }
            float[] mask = mask();
            try (Tensor keyMask = be.fromHost(mask, B, T)) {
                float[] padded = m.forward(ids, types, new Pass(B, T, keyMask, false, 0)).toArray();
                PackedRows packing = PackedRows.ofMask(mask, B, T);
                assertEquals(12, packing.rows());
                Tensor out = m.forward(ids, types, Pass.packed(packing, keyMask));
                assertArrayEquals(new int[] {B * T, d}, out.shape());
                float[] packed = out.toArray();
                for (int b = 0; b < B; b++) {
                    for (int t = 0; t < LENGTHS[b]; t++) {
                        int row = (b * T + t) * d;
                        assertArrayEquals(Arrays.copyOfRange(padded, row, row + d),
                                Arrays.copyOfRange(packed, row, row + d), "sequence " + b + " token " + t);
                    }
                }
                // the model stays usable unpacked after a packed pass
                assertArrayEquals(padded, m.forward(ids, types, new Pass(B, T, keyMask, false, 0)).toArray());
            }
        }
    }

    @Test
    void classifierInferenceMatchesEvalLogitsAndRefusesABackward() {
        SplittableRandom rng = new SplittableRandom(21);
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, ModelGradientTest.TINY, 7), 3, 11)) {
            model.encoder().applyPlan(GateTest.everythingGated(), 5);
            perturb(model.parameters(), rng);
            Batch batch = new Batch(B, T, ids(rng), null, mask(), new int[] {0, 2, 1});
            float[] eval = model.logits(batch, false, 0).toArray();
            assertArrayEquals(eval, model.inferenceLogits(batch).toArray());
            float loss = model.loss(batch, false, 0);
            assertEquals(loss, model.inferenceLoss(batch));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.backward(1f));
            assertTrue(e.getMessage().contains("inference"), e.getMessage());
            model.loss(batch, true, 3); // an unpacked pass again: its backward runs
            model.backward(1f);
        }
    }

    @Test
    void packingOfAMask() {
        PackedRows p = PackedRows.ofMask(new float[] {1, 1, 0, 1, 1, 1}, 2, 3);
        assertEquals(5, p.rows());
        assertArrayEquals(new int[] {0, 1, 3, 4, 5}, p.paddedRows());
        assertArrayEquals(new int[] {0, 1, 0, 2, 3, 4}, p.packedRows());
        assertArrayEquals(new int[] {7, 8, 7, 8, 9}, p.positions(7));
        assertArrayEquals(new int[] {10, 11, 13, 14, 15}, p.pack(new int[] {10, 11, 12, 13, 14, 15}));
        assertTrue(PackedRows.ofMask(new float[] {1, 1, 1, 1}, 2, 2).full());
        assertNull(PackedRows.ofMask(new float[] {1, 0, 1, 1, 1, 1}, 2, 3), "a hole in the mask");
        assertNull(PackedRows.ofMask(new float[] {0, 0, 0, 1, 1, 1}, 2, 3), "an empty sequence");
        assertNull(PackedRows.ofMask(new float[] {1, 1}, 2, 3), "a mask of the wrong size");
        assertThrows(IllegalArgumentException.class, () -> PackedRows.of(new int[] {3, 0}, 3));
        assertThrows(IllegalArgumentException.class, () -> PackedRows.of(new int[] {4}, 3));
        assertThrows(IllegalArgumentException.class, () -> PackedRows.of(new int[0], 3));
    }

    @Test
    void anInferencePassPacksOnlyWhenThatSavesRows() {
        assertEquals(5, Pass.inference(2, 3, new float[] {1, 1, 0, 1, 1, 1}, Tensor.zeros(2, 3)).packing().rows());
        assertNull(Pass.inference(2, 2, new float[] {1, 1, 1, 1}, null).packing(), "no padding");
        assertNull(Pass.inference(2, 3, new float[] {1, 0, 1, 1, 1, 1}, null).packing(), "a hole in the mask");
        assertNull(Pass.inference(2, 3, null, null).packing(), "no mask");
    }

    @Test
    void aPackedPassRefusesTrainingGpt2AndAMissingMask() {
        PackedRows p = PackedRows.of(new int[] {2, 3}, 3);
        IllegalArgumentException training = assertThrows(IllegalArgumentException.class,
                () -> new Pass(2, 3, null, true, 0, p));
        assertTrue(training.getMessage().contains("backward"), training.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Pass(3, 3, null, false, 0, p));
        IllegalArgumentException noMask = assertThrows(IllegalArgumentException.class, () -> Pass.packed(p, null));
        assertTrue(noMask.getMessage().contains("key mask"), noMask.getMessage());
        try (Backend be = Backends.create("reference");
             Gpt2Model model = Gpt2Model.create(be, Gpt2GradientTest.TINY, RandomWeights.gpt2(Gpt2GradientTest.TINY, 3));
             Tensor mask = be.fromHost(new float[] {1, 1, 0, 1, 1, 1}, 2, 3)) {
            assertThrows(IllegalArgumentException.class, () -> model.logits(new int[6], Pass.packed(p, mask)));
        }
    }

    @Test
    void aBackwardAfterAPackedEncoderPassFails() {
        try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, ModelGradientTest.TINY, 9);
             Tensor mask = be.fromHost(mask(), B, T)) {
            m.applyPlan(ModelGradientTest.everything(), 3);
            Tensor h = m.forward(ids(new SplittableRandom(1)), null, Pass.packed(PackedRows.ofMask(mask(), B, T), mask));
            assertThrows(IllegalStateException.class, () -> m.backward(h));
        }
    }
}
