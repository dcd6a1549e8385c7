package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.peft4j.model.BertModel;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.train.Batcher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** A spec rebuilds the runner it describes, survives Java serialization, and its key covers its content. */
class ClassifierRunnerSpecTest {
    static ClassifierRunnerSpec spec(int trainExamples, int threads) {
        return ClassifierRunnerSpec.of("reference", threads, ClassifierRunnerSpec.RandomEncoder.of(Fixtures.TINY, 1),
                "synthetic", 2, Fixtures.synthetic(trainExamples, 1), ClassifierTrialRunnerTest.VAL, 16,
                ClassifierTrialRunnerTest.BASE, false, 0, ClassifierTrialRunner.Score.ACCURACY);
    }

    @Test
    void theSpecBuildsTheRunnerItDescribesAndSurvivesSerialization() throws Exception {
        ClassifierRunnerSpec spec = spec(96, 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(spec);
        }
        ClassifierRunnerSpec back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (ClassifierRunnerSpec) in.readObject();
        }
        assertEquals(spec.key(), back.key());
        ClassifierTrialRunner direct = new ClassifierTrialRunner("reference",
                ClassifierRunnerSpec.RandomEncoder.of(Fixtures.TINY, 1).name(), be -> BertModel.random(be, Fixtures.TINY, 1),
                "synthetic", 2, ClassifierTrialRunnerTest.TRAIN, ClassifierTrialRunnerTest.VAL, 16,
                ClassifierTrialRunnerTest.BASE, false, new Batcher(0), ClassifierTrialRunner.Score.ACCURACY);
        TrialRunner rebuilt = back.create();
        assertEquals(direct.setup(), rebuilt.setup());
        Trial t = new Trial("lora", PeftPlan.lora(2, LoraSpec.defaults()), new ProxySettings(2, 48, 0, 5), "LoRA");
        assertEquals(direct.run(t).metric(), rebuilt.run(t).metric(), 0.0, "the same trial scores the same");
    }

    @Test
    void theKeyChangesWithTheContentAndBadSpecsAreRefused() {
        assertEquals(spec(96, 1).key(), spec(96, 1).key());
        assertNotEquals(spec(96, 1).key(), spec(95, 1).key());
        assertNotEquals(spec(96, 1).key(), spec(96, 2).key());
        assertThrows(IllegalArgumentException.class, () -> spec(96, 0));
    }
}
