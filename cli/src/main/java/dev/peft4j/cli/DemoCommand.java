package dev.peft4j.cli;

import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.backend.ProfilingBackend;
import dev.peft4j.model.Batch;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.train.Optimizer;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A smoke run of the whole training step: a MiniLM-shaped encoder with random weights, LoRA r = 8 on query and
 * value plus a classification head, trained for a few steps on a synthetic task (label = whether a sequence holds
 * one of a set of marker tokens). It shows the loss falling and the time per step on the chosen backend.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train LoRA on a MiniLM-shaped model with random weights on a synthetic task (a smoke run).")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--steps", description = "training steps (default ${DEFAULT-VALUE})")
    int steps = 30;
    @Option(names = "--batch", description = "sequences per step (default ${DEFAULT-VALUE})")
    int batch = 8;
    @Option(names = "--seq", description = "tokens per sequence (default ${DEFAULT-VALUE})")
    int seq = 32;
    @Option(names = "--layers", description = "encoder layers (default ${DEFAULT-VALUE})")
    int layers = 2;
    @Option(names = "--lr", description = "learning rate (default ${DEFAULT-VALUE})")
    float lr = 2e-3f;
    @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
    long seed = 1;
    @Option(names = "--backend", description = "reference, cpu or cuda (default: the best available)")
    String backend;
    @Option(names = "--profile", description = "print the time spent in each kernel after the first step")
    boolean profile;

    @Override
    public Integer call() {
        if (steps < 1 || batch < 1 || seq < 2 || layers < 1) {
            throw new IllegalArgumentException("--steps, --batch, --layers must be ≥ 1 and --seq ≥ 2");
        }
        BertConfig base = BertConfig.miniLmL6();
        BertConfig cfg = new BertConfig(base.vocabSize(), base.hidden(), layers, base.heads(), base.intermediate(),
                Math.max(seq, 8), base.typeVocabSize(), base.layerNormEps(), base.activation(), 0.1f, base.pooling());
        try (Backend chosen = backend == null ? Backends.create() : Backends.create(backend)) {
            ProfilingBackend profiler = profile ? new ProfilingBackend(chosen) : null;
            run(profiler == null ? chosen : profiler.backend(), cfg, profiler);
        }
        return 0;
    }

    private void run(Backend be, BertConfig cfg, ProfilingBackend profiler) {
        try (SequenceClassifier model = new SequenceClassifier(BertModel.random(be, cfg, seed), 2, seed)) {
            model.encoder().applyPlan(PeftPlan.lora(layers, LoraSpec.defaults()), seed);
            long trainable = model.trainableParameters().stream().mapToLong(Parameter::numel).sum();
            System.out.printf("backend %s | MiniLM-shaped encoder, %d layers, random weights | LoRA r=8 on query,value + head%n",
                    be.name(), layers);
            System.out.printf("trainable %,d of %,d parameters (%.3f%%) | batch %d × %d tokens%n", trainable,
                    model.encoder().baseParameterCount(), 100.0 * trainable / model.encoder().baseParameterCount(), batch, seq);
            SplittableRandom rng = new SplittableRandom(seed);
            AdamW hp = new AdamW(lr, 0.9f, 0.999f, 1e-8f, 0.01f);
            float first = Float.NaN;
            float last = Float.NaN;
            long start = System.nanoTime();
            try (Optimizer opt = new Optimizer(be, model.trainableParameters())) {
                for (int step = 1; step <= steps; step++) {
                    Batch b = syntheticBatch(rng, batch, seq, cfg.vocabSize());
                    float loss = model.loss(b, true, seed * 1_000_003L + step);
                    model.backward(1f);
                    float norm = opt.step(hp, 1f);
                    if (step == 1) {
                        first = loss;
                        if (profiler != null) {
                            profiler.reset();
                        }
                    }
                    last = loss;
                    double msPerStep = (System.nanoTime() - start) / 1e6 / step;
                    System.out.printf("step %3d/%d  loss %.4f  grad-norm %.3f  %.1f ms/step  %.0f tokens/s%n", step, steps,
                            loss, norm, msPerStep, batch * seq / (msPerStep / 1e3));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("done: loss %.4f → %.4f in %.1f s (%.1f ms/step) on %s%n", first, last, seconds,
                    seconds * 1e3 / steps, be.name());
            if (profiler != null) {
                System.out.println("time per kernel over steps 2.." + steps + ":");
                profiler.report().forEach(System.out::println);
            }
        }
    }

    /** Label 1 when one of the marker tokens 1000..1009 occurs; half the sequences get one. Some padding at the end. */
    static Batch syntheticBatch(SplittableRandom rng, int b, int t, int vocab) {
        int[] ids = new int[b * t];
        float[] mask = new float[b * t];
        int[] labels = new int[b];
        for (int i = 0; i < b; i++) {
            int len = t - rng.nextInt(Math.max(1, t / 4));
            labels[i] = rng.nextInt(2);
            for (int j = 0; j < t; j++) {
                boolean real = j < len;
                int id = 2000 + rng.nextInt(vocab - 2000);
                ids[i * t + j] = real ? id : 0;
                mask[i * t + j] = real ? 1 : 0;
            }
            if (labels[i] == 1) {
                ids[i * t + 1 + rng.nextInt(len - 1)] = 1000 + rng.nextInt(10);
            }
        }
        return new Batch(b, t, ids, null, mask, labels);
    }
}
