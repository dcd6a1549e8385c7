package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.Pooling;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.BitFitBias;
import dev.peft4j.peft.BitFitSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PrefixSpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParameterCounterTest {
    static final BertConfig ODD = new BertConfig(23, 12, 3, 3, 20, 9, 2, 1e-5f, Activation.GELU, 0f, Pooling.CLS);
    /** ODD with transformers' pooler, whose d² + d values belong to the base. */
    static final BertConfig POOLED = new BertConfig(23, 12, 3, 3, 20, 9, 2, 1e-5f, Activation.GELU, 0f, Pooling.POOLER);

    /** Random plans without gates or prefix reparameterisation (the plans that existed before them). */
    static PeftPlan randomPlan(int layers, SplittableRandom rng) {
        return randomPlan(layers, rng, false);
    }

    /**
     * Random plans; with {@code unions}, modules are gated at random and a third of the plans reparameterise
     * their prefixes (then every prefixed layer shares one length and MLP size, as the plan requires).
     */
    static PeftPlan randomPlan(int layers, SplittableRandom rng, boolean unions) {
        boolean reparam = unions && rng.nextInt(3) == 0;
        int sharedLength = reparam ? 1 + rng.nextInt(4) : 0;
        int mlpHidden = reparam ? 1 + rng.nextInt(5) : 0;
        List<LayerPlan> out = new ArrayList<>();
        Activation[] acts = {Activation.RELU, Activation.SWISH, Activation.GELU};
        for (int l = 0; l < layers; l++) {
            LayerPlan lp = LayerPlan.NONE;
            if (rng.nextBoolean()) {
                EnumSet<LoraTarget> t = EnumSet.noneOf(LoraTarget.class);
                for (LoraTarget x : LoraTarget.values()) {
                    if (rng.nextBoolean()) {
                        t.add(x);
                    }
                }
                if (t.isEmpty()) {
                    t.add(LoraTarget.values()[rng.nextInt(6)]);
                }
                lp = lp.withLora(new LoraSpec(1 + rng.nextInt(5), 4f, rng.nextBoolean(), 0f, t, unions && rng.nextBoolean()));
            }
            if (rng.nextBoolean()) {
                lp = lp.withAttnAdapter(new AdapterSpec(1 + rng.nextInt(6), acts[rng.nextInt(3)], 1f, rng.nextBoolean(),
                        unions && rng.nextBoolean()));
            }
            if (rng.nextBoolean()) {
                lp = lp.withFfnAdapter(new AdapterSpec(1 + rng.nextInt(6), acts[rng.nextInt(3)], 1f, rng.nextBoolean(),
                        unions && rng.nextBoolean()));
            }
            if (rng.nextBoolean()) {
                lp = lp.withParallelAdapter(new AdapterSpec(1 + rng.nextInt(6), Activation.RELU, 4f, rng.nextBoolean(),
                        unions && rng.nextBoolean()));
            }
            if (rng.nextBoolean()) {
                boolean gated = unions && rng.nextBoolean();
                lp = lp.withPrefix(reparam ? new PrefixSpec(sharedLength, mlpHidden, gated)
                        : unions ? new PrefixSpec(1 + rng.nextInt(4), 0, gated) : new PrefixSpec(1 + rng.nextInt(4)));
            }
            lp = lp.withIa3(rng.nextBoolean()).withBitfit(rng.nextBoolean());
            out.add(lp);
        }
        return new PeftPlan(out);
    }

    /** The plan with each layer's BitFit replaced by a random selection: none, all, or a random non-empty subset. */
    static PeftPlan withRandomBitfit(PeftPlan plan, SplittableRandom rng) {
        List<LayerPlan> out = new ArrayList<>();
        for (LayerPlan lp : plan.layers()) {
            int pick = rng.nextInt(4);
            BitFitSpec spec = null;
            if (pick == 1) {
                spec = BitFitSpec.ALL;
            } else if (pick >= 2) {
                EnumSet<BitFitBias> kinds = EnumSet.noneOf(BitFitBias.class);
                for (BitFitBias b : BitFitBias.values()) {
                    if (rng.nextBoolean()) {
                        kinds.add(b);
                    }
                }
                if (kinds.isEmpty()) {
                    kinds.add(BitFitBias.values()[rng.nextInt(BitFitBias.values().length)]);
                }
                spec = new BitFitSpec(kinds);
            }
            out.add(lp.withBitfit(spec));
        }
        return new PeftPlan(out);
    }

    static long realCount(List<Parameter> ps) {
        return ps.stream().filter(Parameter::trainable).mapToLong(Parameter::numel).sum();
    }

    @Test
    void analyticCountEqualsTheModelsTrainableCountForRandomPlans() {
        SplittableRandom rng = new SplittableRandom(17);
        for (BertConfig cfg : List.of(ODD, Fixtures.TINY, POOLED)) {
            for (int i = 0; i < 25; i++) {
                PeftPlan plan = randomPlan(cfg.layers(), rng, i % 2 == 1);
                try (Backend be = Backends.create("reference")) {
                    BertModel m = BertModel.random(be, cfg, i);
                    assertEquals(m.baseParameterCount(), ParameterCounter.base(cfg), "base count");
                    m.applyPlan(plan, i);
                    assertEquals(realCount(m.parameters()), ParameterCounter.count(cfg, plan), "plan " + i + ": " + plan);
                    int labels = 2 + i % 3;
                    try (SequenceClassifier c = new SequenceClassifier(m, labels, 1)) {
                        assertEquals(realCount(c.parameters()), ParameterCounter.countWithHead(cfg, plan, labels));
                    }
                }
            }
        }
    }

    @Test
    void partialBitfitSelectionsAreCountedExactly() {
        SplittableRandom rng = new SplittableRandom(31);
        int partial = 0;
        for (int i = 0; i < 30; i++) {
            PeftPlan plan = withRandomBitfit(randomPlan(ODD.layers(), rng, i % 2 == 1), rng);
            partial += (int) plan.layers().stream().filter(l -> l.bitfit() && !l.bitfitSpec().all()).count();
            try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, ODD, i)) {
                m.applyPlan(plan, i);
                assertEquals(realCount(m.parameters()), ParameterCounter.count(ODD, plan), "plan " + i + ": " + plan);
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(partial >= 20, "only " + partial + " partial selections drawn");
    }

    @Test
    void bitfitCountsFollowTheSelectedKinds() {
        // d = 12, f = 20: all = 7·12 + 20 = 104; the paper's query + FFN-in = 12 + 20; LayerNorm β alone = 2·12.
        PeftPlan all = PeftPlan.uniform(3, LayerPlan.NONE.withBitfit(true));
        assertEquals(3 * 104, ParameterCounter.count(ODD, all));
        assertEquals(3 * 32, ParameterCounter.count(ODD, PeftPlan.uniform(3, LayerPlan.NONE.withBitfit(BitFitSpec.QUERY_FFN_IN))));
        assertEquals(3 * 24, ParameterCounter.count(ODD, PeftPlan.uniform(3, LayerPlan.NONE.withBitfit(
                BitFitSpec.of(BitFitBias.LAYER_NORM)))));
    }

    @Test
    void gatedAndReparameterisedPlansAreCountedExactly() {
        SplittableRandom rng = new SplittableRandom(23);
        int reparameterised = 0;
        int gated = 0;
        for (int i = 0; i < 30; i++) {
            PeftPlan plan = randomPlan(ODD.layers(), rng, true);
            reparameterised += plan.reparameterisedPrefix() != null ? 1 : 0;
            gated += plan.anyGate() ? 1 : 0;
            try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, ODD, i)) {
                m.applyPlan(plan, i);
                assertEquals(realCount(m.parameters()), ParameterCounter.count(ODD, plan), "plan " + i + ": " + plan);
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(reparameterised >= 3 && gated >= 10,
                "the random plans exercise both: " + reparameterised + " reparameterised, " + gated + " gated");
    }

    @Test
    void aSharedPrefixMlpIsCountedOnceAndItsLayerPrefixesNotAtAll() {
        // d = 12, L = 4, h = 5 on layers 0 and 2 of 3: E 4·12 + W₁ 5·12 + b₁ 5, per layer 2·(12·5 + 12).
        LayerPlan p = LayerPlan.NONE.withPrefix(new PrefixSpec(4, 5, false));
        PeftPlan plan = new PeftPlan(List.of(p, LayerPlan.NONE, p));
        assertEquals(48 + 60 + 5 + 2 * 2 * (60 + 12), ParameterCounter.count(ODD, plan));
    }

    @Test
    void emptyPlanCountsNothingAndLayerMismatchIsAnError() {
        assertEquals(0, ParameterCounter.count(ODD, Fixtures.empty(3)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ParameterCounter.count(ODD, Fixtures.empty(2)));
    }
}
