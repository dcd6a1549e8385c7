package dev.peft4j.search;

import dev.peft4j.backend.Activation;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.Pooling;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.testing.SyntheticExamples;
import dev.peft4j.train.EncodedExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared test configs, synthetic data and a fake trial runner. */
final class Fixtures {
    private Fixtures() {}

    /** 2 layers, hidden 16: small enough to train in a test. */
    static final BertConfig TINY = new BertConfig(40, 16, 2, 2, 32, 16, 2, 1e-5f, Activation.GELU, 0.0f, Pooling.MEAN);
    /** 8 layers, hidden 16: enough layers for 4 groups; only counted, never trained. */
    static final BertConfig EIGHT = new BertConfig(40, 16, 8, 2, 32, 16, 2, 1e-5f, Activation.GELU, 0.0f, Pooling.MEAN);

    /** Label 1 iff token 5 occurs; lengths vary so batches carry padding (the trainer tests' task). */
    static List<EncodedExample> synthetic(int n, long seed) {
        return SyntheticExamples.tokenFiveTask(n, seed);
    }

    /**
     * A deterministic stand-in for training: the metric is the mean over layers of
     * 0.1·[tuned] + [LoRA] + 0.2·[prefix] + 0.01·[BitFit] − 0.05·[adapter] (each layer's term is positive once tuned),
     * plus a tiny offset from the proxy seed; plans with (IA)³ throw (a "diverged" trial). Counts its calls.
     */
    static final class FakeRunner implements TrialRunner {
        final BertConfig cfg;
        final AtomicInteger calls = new AtomicInteger();
        final Set<String> ran = ConcurrentHashMap.newKeySet();
        final List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());

        FakeRunner(BertConfig cfg) {
            this.cfg = cfg;
        }

        @Override
        public TrialSetup setup() {
            return TrialSetup.NONE;
        }

        @Override
        public TrialResult run(Trial t) {
            calls.incrementAndGet();
            if (!ran.add(t.id())) {
                throw new AssertionError("trial " + t.id() + " ran twice");
            }
            order.add(t.id());
            long params = ParameterCounter.count(cfg, t.plan());
            double fraction = (double) params / ParameterCounter.base(cfg);
            double m = 0;
            for (LayerPlan lp : t.plan().layers()) {
                if (lp.ia3()) {
                    throw new IllegalStateException("the loss diverged to NaN");
                }
                boolean tuned = !lp.equals(LayerPlan.NONE);
                m += (tuned ? 0.1 : 0) + (lp.lora() != null ? 1 : 0) + (lp.prefix() != null ? 0.2 : 0)
                        + (lp.bitfit() ? 0.01 : 0) - (lp.ffnAdapter() != null ? 0.05 : 0);
            }
            m /= t.plan().size();
            m += Math.floorMod(t.proxy().seed(), 1000) * 1e-7;
            return TrialResult.ok(t, m, params, fraction, 0.001);
        }
    }

    static PeftPlan empty(int layers) {
        return PeftPlan.uniform(layers, LayerPlan.NONE);
    }
}
