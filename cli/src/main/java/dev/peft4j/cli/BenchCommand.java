package dev.peft4j.cli;

import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.ProfilingBackend;
import dev.peft4j.model.Batch;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tensor.Tensor;
import dev.peft4j.train.Optimizer;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A quick end-to-end training-step benchmark: a MiniLM-L6-shaped encoder (random weights, same shapes), LoRA r = 8
 * on query and value plus a classification head, trained on a synthetic task (label = whether a sequence holds one
 * of a set of marker tokens) at batch 16 × 128. Prints the loss, ms/step (median after warm-up), tokens/s and the
 * achieved GFLOP/s; {@code --profile} adds the time per kernel.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time LoRA training steps of a MiniLM-shaped model (random weights, synthetic data).")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--steps", description = "training steps (default ${DEFAULT-VALUE})")
    int steps = 16;
    @Option(names = "--warmup", description = "steps left out of the timing, while the JIT compiles the kernels "
            + "(default ${DEFAULT-VALUE})")
    int warmup = 6;
    @Option(names = "--batch", description = "sequences per step (default ${DEFAULT-VALUE})")
    int batch = 16;
    @Option(names = "--seq", description = "tokens per sequence (default ${DEFAULT-VALUE})")
    int seq = 128;
    @Option(names = "--layers", description = "encoder layers (default ${DEFAULT-VALUE})")
    int layers = 6;
    @Option(names = "--lr", description = "learning rate (default ${DEFAULT-VALUE})")
    float lr = 1e-3f;
    @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
    long seed = 1;
    @Mixin
    BackendOption backend = new BackendOption();
    @Option(names = "--profile", description = "print the time spent in each kernel after the first step")
    boolean profile;

    @Override
    public Integer call() {
        BertConfig base = BertConfig.miniLmL6();
        BenchChecks.check(this, base);
        BertConfig cfg = new BertConfig(base.vocabSize(), base.hidden(), layers, base.heads(), base.intermediate(),
                Math.max(seq, 8), base.typeVocabSize(), base.layerNormEps(), base.activation(), 0.1f, base.pooling());
        try (Backend chosen = backend.create()) {
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
            double[] ms = new double[steps];
            float first = Float.NaN;
            float last = Float.NaN;
            try (Optimizer opt = new Optimizer(be, model.trainableParameters()); Tensor normOut = be.allocate(1)) {
                for (int step = 1; step <= steps; step++) {
                    Batch b = syntheticBatch(rng, batch, seq, cfg.vocabSize());
                    if (step == warmup + 1 && profiler != null) {
                        profiler.reset();
                    }
                    long t0 = System.nanoTime();
                    Tensor lossOut = model.deviceLoss(b, true, seed * 1_000_003L + step);
                    model.backward(1f);
                    opt.step(hp, 1f, normOut);
                    float loss = lossOut.toArray()[0]; // waits for the step's device work, so the time covers it
                    float norm = normOut.toArray()[0];
                    ms[step - 1] = (System.nanoTime() - t0) / 1e6;
                    first = step == 1 ? loss : first;
                    last = loss;
                    System.out.printf("step %3d/%d  loss %.4f  grad-norm %.3f  %.1f ms%s%n", step, steps, loss, norm,
                            ms[step - 1], step <= warmup ? "  (warm-up)" : "");
                }
            }
            double[] timed = java.util.Arrays.copyOfRange(ms, warmup, steps);
            java.util.Arrays.sort(timed);
            double median = timed[timed.length / 2];
            double gflops = stepFlops(cfg, batch, seq, 8, 2) / (median / 1e3) / 1e9;
            System.out.printf("loss %.4f → %.4f%n", first, last);
            System.out.printf("backend %s: median %.1f ms/step (min %.1f, max %.1f over %d steps), %.0f tokens/s, %.1f GFLOP/s%n",
                    be.name(), median, timed[0], timed[timed.length - 1], timed.length, batch * seq / (median / 1e3), gflops);
            if (profiler != null) {
                System.out.println("time per kernel over the timed steps:");
                profiler.report().forEach(System.out::println);
                System.out.println("the GEMM-shaped kernels by shape (GFLOP/s = their own FLOPs / their time):");
                profiler.gemmReport().forEach(System.out::println);
            }
        }
    }

    /**
     * FLOPs of one training step, counted by hand per layer with N = B·T tokens, width d, FFN f, LoRA rank r on
     * {@code targets} linears: forward linears 8Nd² + 4Ndf, their backward (dx only, frozen) the same again;
     * attention 4NTd forward (QKᵀ, PV) and 10NTd backward (recomputed S, dP, dV, dQ, dK); LoRA 4Ndr forward and
     * 8Ndr backward per target. Embeddings, norms, activations and the head are left out (under 1%).
     */
    static double stepFlops(BertConfig cfg, int b, int t, int r, int targets) {
        double n = (double) b * t;
        double d = cfg.hidden();
        double f = cfg.intermediate();
        double perLayer = 2 * (8 * n * d * d + 4 * n * d * f) + 14 * n * t * d + targets * 12 * n * d * r;
        return perLayer * cfg.layers();
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
