package dev.peft4j.search.spark;

import dev.peft4j.peft.PlanCodec;
import dev.peft4j.search.ProxySettings;
import dev.peft4j.search.Trial;
import java.io.Serializable;

/**
 * A {@link Trial} as it travels to a Spark executor: its plan as plan-file JSON (which round-trips exactly), its
 * proxy settings and its description.
 */
record TrialTask(String id, String planJson, int epochs, int trainExamples, int validationExamples, long seed,
                 String description) implements Serializable {
    static TrialTask of(Trial t) {
        ProxySettings p = t.proxy();
        return new TrialTask(t.id(), PlanCodec.toText(t.plan()), p.epochs(), p.trainExamples(), p.validationExamples(),
                p.seed(), t.description());
    }

    Trial trial() {
        return new Trial(id, PlanCodec.parse(planJson, "trial " + id),
                new ProxySettings(epochs, trainExamples, validationExamples, seed), description);
    }
}
