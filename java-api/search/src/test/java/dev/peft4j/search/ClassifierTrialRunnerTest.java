package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.model.BertModel;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PlanCodec;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import dev.peft4j.train.Batcher;
import dev.peft4j.train.EncodedExample;
import dev.peft4j.train.LrSchedule;
import dev.peft4j.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real training on a tiny random encoder: proves the trial wiring, not model quality. */
class ClassifierTrialRunnerTest {
    @TempDir
    Path dir;

    static final List<EncodedExample> TRAIN = Fixtures.synthetic(96, 1);
    static final List<EncodedExample> VAL = Fixtures.synthetic(32, 2);
    static final TrainConfig BASE = new TrainConfig(1, 8, 3e-2f, 0.01f, 0.1f, LrSchedule.Decay.LINEAR, 1f, 1, 0, 0, 1);

    static ClassifierTrialRunner runner() {
        return new ClassifierTrialRunner("reference", "tiny", be -> BertModel.random(be, Fixtures.TINY, 1), "synthetic", 2,
                TRAIN, VAL, 16, BASE, false, new Batcher(0), ClassifierTrialRunner.Score.ACCURACY);
    }

    @Test
    void aLoraTrialTrainsScoresAndIsDeterministic() {
        PeftPlan plan = PeftPlan.lora(2, LoraSpec.defaults());
        Trial t = new Trial("lora", plan, new ProxySettings(6, 0, 0, 5), "LoRA r=8");
        long before = MemoryAccounting.liveBytes(Device.CPU);
        TrialResult r = runner().run(t);
        assertEquals(before, MemoryAccounting.liveBytes(Device.CPU), "the trial frees its model");
        assertTrue(r.ok(), r.reason());
        assertTrue(r.metric() >= 0.75, "the synthetic task is learnable: " + r.metric());
        assertEquals(ParameterCounter.count(Fixtures.TINY, plan), r.trainableParameters());
        assertEquals(ParameterCounter.fraction(Fixtures.TINY, plan), r.parameterFraction(), 1e-15);
        assertEquals(r.metric(), runner().run(t).metric(), 0.0, "same trial, same score");
    }

    @Test
    void aSmallRealSearchRunsTrialsInParallelAndWritesThePlan() throws Exception {
        AutoPeftSpace space = AutoPeftSpace.powersOfTwo(Fixtures.TINY, 2, 4);
        ProxySettings proxy = new ProxySettings(2, 48, 32, 3);
        AutoPeftResult r;
        try (SearchJournal j = SearchJournal.open(dir.resolve("real.jsonl"))) {
            r = new AutoPeftSearcher(space, new AutoPeftSearcher.Settings(4, 1, 2, 16, proxy, 1, 0.0, false))
                    .search(new TrialScheduler(runner(), j, 2));
            assertEquals(6, j.size());
        }
        assertEquals(0, r.failed());
        assertTrue(!r.front().isEmpty());
        Path planFile = dir.resolve("best.plan.json");
        PlanCodec.write(r.bestMetric().plan(), planFile);
        assertEquals(r.bestMetric().plan(), PlanCodec.read(planFile));
    }
}
