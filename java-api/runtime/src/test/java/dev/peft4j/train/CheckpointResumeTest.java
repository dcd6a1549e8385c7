package dev.peft4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.io.StallingWriteMain;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume: a training process killed (destroyForcibly, i.e. SIGKILL) mid-run resumes from its last
 * checkpoint and produces the same loss curve and final values, bit for bit, as an uninterrupted run.
 */
class CheckpointResumeTest {
    @TempDir
    Path dir;

    private static void assertSameRun(CheckpointRun.Outcome expected, CheckpointRun.Outcome actual) {
        assertArrayEquals(expected.result().losses(), actual.result().losses(), 0f, "loss curve");
        assertEquals(expected.result().validations(), actual.result().validations());
        assertEquals(expected.result().bestValidation(), actual.result().bestValidation());
        for (int i = 0; i < expected.values().length; i++) {
            assertArrayEquals(expected.values()[i], actual.values()[i], 0f, "trainable parameter " + i);
        }
    }

    /** Resumes in this JVM and records the first step the resumed run reports. */
    private static CheckpointRun.Outcome resume(Path ckpt, AtomicLong firstStep) {
        return CheckpointRun.run(new CheckpointOptions(ckpt, 1, true), new TrainListener() {
            @Override
            public void onStep(long step, long totalSteps, float loss, float lr, float gradNorm, double tokensPerSecond) {
                firstStep.compareAndSet(0, step);
            }
        });
    }

    @Test
    void aKilledRunResumesWithTheSameLossCurveBitForBit() throws Exception {
        CheckpointRun.Outcome uninterrupted = CheckpointRun.run(null, null);
        assertEquals(CheckpointRun.TOTAL_STEPS, uninterrupted.result().steps());

        Path ckpt = dir.resolve("run.ckpt");
        Process child = CheckpointRun.startChild(CheckpointRun.class, ckpt.toString(), "40");
        StringBuilder log = new StringBuilder();
        try {
            CheckpointRun.readUntil(child, line -> line.equals("step 6"), log);
            Thread.sleep(17); // somewhere inside the next step or its checkpoint write
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
        }
        TrainingCheckpoint checkpoint = CheckpointFile.read(ckpt);
        long saved = checkpoint.step();
        assertTrue(saved >= 5 && saved < CheckpointRun.TOTAL_STEPS, "killed mid-run at checkpoint step " + saved + "\n" + log);

        AtomicLong firstStep = new AtomicLong();
        CheckpointRun.Outcome resumed = resume(ckpt, firstStep);
        assertEquals(saved + 1, firstStep.get(), "the resumed run continues after the checkpoint's step");
        assertSameRun(uninterrupted, resumed);
        TrainResult r = resumed.result();
        assertEquals(uninterrupted.result().tokens(), r.tokens(), "the whole run's tokens, the checkpoint's included");
        assertEquals(r.tokens() - checkpoint.tokens(), r.tokensPerSecond() * r.seconds(), 0.5,
                "the throughput counts only the tokens trained since the resume");
    }

    @Test
    void aKillDuringTheWriteLeavesThePreviousCheckpointReadable() throws Exception {
        Path ckpt = dir.resolve("run.ckpt");
        CheckpointRun.Outcome uninterrupted = CheckpointRun.run(null, null);
        // A first run that is stopped (by an exception from its listener) after writing the checkpoint of step 7.
        assertThrows(IllegalStateException.class, () -> CheckpointRun.run(new CheckpointOptions(ckpt, 7, false), new TrainListener() {
            @Override
            public void onStep(long step, long totalSteps, float loss, float lr, float gradNorm, double tps) {
                if (step == 8) {
                    throw new IllegalStateException("stop");
                }
            }
        }));
        TrainingCheckpoint before = CheckpointFile.read(ckpt);
        assertEquals(7, before.step());

        Process child = CheckpointRun.startChild(StallingWriteMain.class, ckpt.toString());
        StringBuilder log = new StringBuilder();
        try {
            CheckpointRun.readUntil(child, line -> line.equals("IN_WRITE"), log);
            try (var files = Files.list(dir)) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "the new file is being written");
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
        }
        TrainingCheckpoint after = CheckpointFile.read(ckpt);
        assertEquals(7, after.step());
        assertArrayEquals(before.losses(), after.losses(), 0f);
        assertArrayEquals(before.values()[0], after.values()[0], 0f);

        AtomicLong firstStep = new AtomicLong();
        assertSameRun(uninterrupted, resume(ckpt, firstStep));
        assertEquals(8, firstStep.get());
    }

    @Test
    void corruptTruncatedOrForeignCheckpointsAreRejected() throws Exception {
        Path ckpt = dir.resolve("run.ckpt");
        assertThrows(IllegalStateException.class, () -> CheckpointRun.run(new CheckpointOptions(ckpt, 3, false), new TrainListener() {
            @Override
            public void onStep(long step, long totalSteps, float loss, float lr, float gradNorm, double tps) {
                if (step == 4) {
                    throw new IllegalStateException("stop");
                }
            }
        }));
        byte[] good = Files.readAllBytes(ckpt);

        Files.write(ckpt, java.util.Arrays.copyOf(good, good.length - 100));
        assertRejected(ckpt, "corrupt or truncated");

        byte[] flipped = good.clone();
        flipped[flipped.length - 10] ^= 0x40; // a bit inside the last tensor's data
        Files.write(ckpt, flipped);
        assertRejected(ckpt, "checksum mismatch");

        Files.write(ckpt, good);
        TrainConfig other = new TrainConfig(3, 4, 2e-2f, 0.01f, 0.1f, LrSchedule.Decay.LINEAR, 1f, 2, 5, 0, 17);
        try (var be = dev.peft4j.backend.Backends.create("reference");
             var model = new dev.peft4j.model.SequenceClassifier(
                     dev.peft4j.model.BertModel.random(be, ClassifierTrainerTest.SMALL, 1), 2, 2)) {
            model.encoder().applyPlan(dev.peft4j.peft.PeftPlan.lora(2, dev.peft4j.peft.LoraSpec.defaults()), 3);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new ClassifierTrainer(other, new Batcher(0), null,
                    new CheckpointOptions(ckpt, 1, true)).train(model, CheckpointRun.TRAIN, CheckpointRun.VALIDATION));
            assertTrue(e.getCause() instanceof CheckpointException);
            assertTrue(e.getMessage().contains("different run") && e.getMessage().contains(ckpt.toString()), e.getMessage());
        }
    }

    /** A position that passes the checksum (re-signed by hand) but lies beyond the run is refused, naming the file. */
    @Test
    void positionsBeyondTheRunAreRejected() throws Exception {
        Path ckpt = dir.resolve("edited.ckpt");
        assertThrows(IllegalStateException.class, () -> CheckpointRun.run(new CheckpointOptions(ckpt, 3, false), new TrainListener() {
            @Override
            public void onStep(long step, long totalSteps, float loss, float lr, float gradNorm, double tps) {
                if (step == 4) {
                    throw new IllegalStateException("stop");
                }
            }
        }));
        byte[] good = Files.readAllBytes(ckpt);
        for (String[] edit : new String[][] {{"epoch", "999", "epoch 999 is beyond"}, {"micro", "999", "micro-step 999"}}) {
            Files.write(ckpt, good);
            dev.peft4j.io.SafeTensorsContent c = dev.peft4j.io.SafeTensors.read(ckpt);
            java.util.Map<String, String> meta = new java.util.TreeMap<>(c.metadata());
            meta.remove("crc32");
            meta.put(edit[0], edit[1]);
            meta.put("crc32", Long.toString(CheckpointFile.crc(c.tensors(), meta)));
            dev.peft4j.io.SafeTensors.write(ckpt, c.tensors(), meta);
            assertRejected(ckpt, edit[2]);
        }
    }

    private static void assertRejected(Path ckpt, String why) {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> CheckpointRun.run(new CheckpointOptions(ckpt, 1, true), null));
        assertTrue(e.getCause() instanceof CheckpointException, "cause " + e.getCause());
        assertTrue(e.getMessage().contains(why) && e.getMessage().contains(ckpt.toString()), e.getMessage());
    }
}
