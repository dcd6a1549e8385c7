package dev.peft4j.train;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;

/**
 * The small training run of the checkpoint tests: a 2-layer BERT with LoRA and dropout, 24 optimizer steps over
 * 3 epochs (accumulation 2, validation every 5 steps). {@link #main} runs it in a child JVM that writes a
 * checkpoint after every step and prints "step N" after each, sleeping a little so a test can kill it mid-run.
 */
public final class CheckpointRun {
    static final TrainConfig CONFIG = new TrainConfig(3, 4, 1e-2f, 0.01f, 0.1f, LrSchedule.Decay.LINEAR, 1f, 2, 5, 0, 17);
    static final List<EncodedExample> TRAIN = ClassifierTrainerTest.synthetic(64, 21);
    static final List<EncodedExample> VALIDATION = ClassifierTrainerTest.synthetic(12, 22);
    static final int TOTAL_STEPS = 24;

    private CheckpointRun() {}

    /** Runs the training; returns its result and the final trainable values. */
    static Outcome run(CheckpointOptions checkpoints, TrainListener listener) {
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, ClassifierTrainerTest.SMALL, 1), 2, 2)) {
            model.encoder().applyPlan(PeftPlan.lora(2, LoraSpec.defaults()), 3);
            TrainResult r = new ClassifierTrainer(CONFIG, new Batcher(0), listener, checkpoints).train(model, TRAIN, VALIDATION);
            float[][] values = model.trainableParameters().stream().map(p -> p.value().toArray()).toArray(float[][]::new);
            return new Outcome(r, values);
        }
    }

    record Outcome(TrainResult result, float[][] values) {}

    public static void main(String[] args) {
        Path path = Path.of(args[0]);
        long sleepMillis = Long.parseLong(args[1]);
        run(new CheckpointOptions(path, 1, true), new TrainListener() {
            @Override
            public void onStep(long step, long totalSteps, float loss, float lr, float gradNorm, double tokensPerSecond) {
                System.out.println("step " + step);
                System.out.flush();
                try {
                    Thread.sleep(sleepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        System.out.println("done");
    }

    /** Starts {@code main} of a test class in a child JVM with this JVM's class path. */
    static Process startChild(Class<?> main, String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Reads the child's output until a line satisfies {@code until}; fails if the child ends first. */
    static void readUntil(Process p, java.util.function.Predicate<String> until, StringBuilder log) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line;
        while ((line = r.readLine()) != null) {
            log.append(line).append('\n');
            if (until.test(line)) {
                return;
            }
        }
        throw new AssertionError("the child process ended before the expected output; it printed:\n" + log);
    }
}
