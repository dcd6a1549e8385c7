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

    static PeftPlan randomPlan(int layers, SplittableRandom rng) {
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
                lp = lp.withLora(new LoraSpec(1 + rng.nextInt(5), 4f, rng.nextBoolean(), 0f, t));
            }
            if (rng.nextBoolean()) {
                lp = lp.withAttnAdapter(new AdapterSpec(1 + rng.nextInt(6), acts[rng.nextInt(3)], 1f, rng.nextBoolean()));
            }
            if (rng.nextBoolean()) {
                lp = lp.withFfnAdapter(new AdapterSpec(1 + rng.nextInt(6), acts[rng.nextInt(3)], 1f, rng.nextBoolean()));
            }
            if (rng.nextBoolean()) {
                lp = lp.withParallelAdapter(new AdapterSpec(1 + rng.nextInt(6), Activation.RELU, 4f, rng.nextBoolean()));
            }
            if (rng.nextBoolean()) {
                lp = lp.withPrefix(new PrefixSpec(1 + rng.nextInt(4)));
            }
            lp = lp.withIa3(rng.nextBoolean()).withBitfit(rng.nextBoolean());
            out.add(lp);
        }
        return new PeftPlan(out);
    }

    static long realCount(List<Parameter> ps) {
        return ps.stream().filter(Parameter::trainable).mapToLong(Parameter::numel).sum();
    }

    @Test
    void analyticCountEqualsTheModelsTrainableCountForRandomPlans() {
        SplittableRandom rng = new SplittableRandom(17);
        for (BertConfig cfg : List.of(ODD, Fixtures.TINY)) {
            for (int i = 0; i < 25; i++) {
                PeftPlan plan = randomPlan(cfg.layers(), rng);
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
    void emptyPlanCountsNothingAndLayerMismatchIsAnError() {
        assertEquals(0, ParameterCounter.count(ODD, Fixtures.empty(3)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ParameterCounter.count(ODD, Fixtures.empty(2)));
    }
}
