package dev.peft4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.peft4j.backend.Backend;
import dev.peft4j.data.LabeledDataset;
import dev.peft4j.data.LocalTextPairs;
import dev.peft4j.data.SplitSpec;
import dev.peft4j.data.Splits;
import dev.peft4j.text.BaseModel;
import dev.peft4j.text.FineTune;
import dev.peft4j.text.FineTuneEvent;
import dev.peft4j.text.FineTuneResult;
import dev.peft4j.text.RetrievalMetrics;
import dev.peft4j.text.TextExample;
import dev.peft4j.text.TextPair;
import dev.peft4j.train.TrainConfig;
import dev.peft4j.train.TrainResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * {@code peft4j finetune --objective contrastive}: embedding fine-tuning on {@link FineTune#embedding}. The pairs are
 * drawn from the training split of {@code --dataset} (two texts of one label; {@code --pair-count}, default one per
 * training text) or read from {@code --pairs FILE}; the held-out texts (the test split, cut as a classify run cuts
 * it, so both objectives score the same texts) are scored by same-label retrieval (k-NN label accuracy with
 * k = {@value FineTune#RETRIEVAL_K}, mean reciprocal rank) before and after training. The run folder holds the
 * encoder's adapter ({@code adapter/}, for {@code TextEncoder} and {@code Peft4jEmbeddingModel}), metrics.jsonl,
 * summary.json and loss.png; no run.json (eval, predict, merge and export take classifier runs) and no checkpoint.
 */
final class ContrastiveFinetune {
    private final FinetuneCommand c;
    private final ObjectiveOptions o;

    ContrastiveFinetune(FinetuneCommand command) {
        this.c = command;
        this.o = command.objective;
    }

    int call() throws IOException {
        if (c.train < 0 || c.validation < 0 || c.test < 0 || c.maxLength.tokens() < 3 || c.epochs < 1 || c.batch < 1) {
            throw new UsageException("--epochs, --batch must be ≥ 1, --train, --validation, --test ≥ 0, "
                    + "--max-length ≥ 3");
        }
        if (o.pairs == null && c.train < 2) {
            throw new UsageException("--train must be ≥ 2 to draw pairs of same-label texts (or give --pairs FILE)");
        }
        if (o.pairCount != null && (o.pairCount < 1 || o.pairs != null)) {
            throw new UsageException(o.pairs != null ? "--pair-count applies to drawn pairs, not to --pairs"
                    : "--pair-count must be ≥ 1, got " + o.pairCount);
        }
        if (c.resume) {
            throw new UsageException("--resume: a contrastive run writes no checkpoint to resume from");
        }
        long wallStart = System.nanoTime();
        BaseModel base = c.base();
        long dataSeed = c.splitSeed != null ? c.splitSeed : c.seed;
        Splits splits = null;
        if (o.pairs == null || o.given("--dataset")) {
            System.out.println("loading dataset " + c.dataset.name() + " ...");
            LabeledDataset data = c.dataset.load();
            if (c.train + c.validation + c.test > data.size()) {
                throw new IllegalArgumentException("dataset " + c.dataset.name() + " has " + data.size()
                        + " examples, fewer than --train " + c.train + " + --validation " + c.validation + " + --test "
                        + c.test);
            }
            splits = data.split(SplitSpec.counts(c.train, c.validation, c.test), dataSeed);
        }
        List<TextExample> heldOut = splits == null || splits.test().size() < 2 ? List.of() : splits.test().examples();
        FineTune.Builder job;
        String pairSource;
        int pairCount;
        if (o.pairs != null) {
            List<TextPair> pairs = LocalTextPairs.read(o.pairs, o.anchorColumn, o.positiveColumn);
            job = FineTune.embedding(base, pairs);
            pairCount = pairs.size();
            pairSource = "from " + o.pairs + " (columns " + o.anchorColumn + ", " + o.positiveColumn + ")";
        } else {
            pairCount = o.pairCount != null ? o.pairCount : splits.train().size();
            job = FineTune.embedding(base, splits.train().examples(), pairCount);
            pairSource = "of same-label texts drawn from " + splits.train().size() + " training texts of "
                    + c.dataset.name();
        }
        String methodName = c.plan != null ? "plan " + c.plan : c.method + (c.size > 0 ? " (size " + c.size + ")" : "");
        // the run folder as for a classifier run: locked, refused when it holds a run unless --overwrite, and
        // written only once everything is checked (RunFolder#begin)
        try (RunFolder run = RunFolder.open(c.output, false, c.overwrite);
             Backend be = c.backend.create()) {
            run.check(fingerprint(base, pairCount, pairSource));
            System.out.printf("model %s | objective contrastive (in-batch negatives, temperature %s) | method %s | "
                    + "backend %s%n", base.name(), o.temperature, methodName, be.name());
            System.out.printf("%,d pairs %s | %s | %d tokens max | %d epochs × batch %d%n", pairCount, pairSource,
                    heldOut.isEmpty() ? "no held-out texts to score" + (o.pairs != null && splits == null
                            ? " (give --dataset for labelled held-out texts)" : "")
                            : heldOut.size() + " held-out texts of " + c.dataset.name(),
                    c.maxLength.tokens(), c.epochs, c.batch);
            ProgressBar[] bar = new ProgressBar[1];
            job.validation(heldOut).epochs(c.epochs).batchSize(c.batch).maxLength(c.maxLength.tokens()).seed(c.seed)
                    .temperature(o.temperature).backend(be).saveTo(c.output.resolve(RunInfo.ADAPTER_DIR))
                    .listener(event -> report(event, bar, run));
            if (c.plan != null) {
                job.planFile(c.plan);
            } else {
                job.method(c.method, c.size);
            }
            if (c.lr != null) {
                job.learningRate(c.lr);
            }
            job.tokensAfterPrefix(c.tokensAfterPrefix);
            FineTune built = job.build();
            run.begin(0);
            FineTuneResult result = built.run();
            Curves.write(c.output, result.training().losses(), List.of());
            double wall = (System.nanoTime() - wallStart) / 1e9;
            printSummary(base, methodName, be, result, pairCount, wall);
            writeSummary(base, methodName, be, result, pairCount, heldOut.size(), wall);
        }
        return 0;
    }

    /** What this run trains with, recorded in the run folder's settings (a contrastive run is never resumed). */
    private RunFingerprint fingerprint(BaseModel base, int pairCount, String pairSource) {
        RunFingerprint.Builder f = RunFingerprint.builder().set("--objective", "contrastive")
                .set("--model", base.name()).set("pairs", pairCount + " " + pairSource)
                .set("--max-length", c.maxLength.tokens()).set("--seed", c.seed).set("--epochs", c.epochs)
                .set("--batch", c.batch).set("--temperature", o.temperature);
        if (c.plan != null) {
            f.set("--plan", c.plan.toString());
        } else {
            f.set("--method", c.method.toLowerCase(Locale.ROOT)).set("--size", c.size);
        }
        if (c.lr != null) {
            f.set("--lr", c.lr);
        }
        if (c.model.pooling() != null) { // only when given, so that runs from before the option still resume
            f.set("--pooling", c.model.pooling().name());
        }
        if (c.tokensAfterPrefix) {
            f.set("--tokens-after-prefix", "true");
        }
        return f.build();
    }

    /** Prints a run's events and writes them to metrics.jsonl (one JSON object per step and per retrieval score). */
    private static void report(FineTuneEvent event, ProgressBar[] bar, RunFolder run) {
        switch (event) {
            case FineTuneEvent.Started s -> {
                System.out.printf("trainable %,d parameters = %.3f%% of %,d:%n", s.trainableParameters(),
                        100 * s.trainableFraction(), s.baseParameters());
                System.out.print(s.report().format());
                TrainConfig cfg = TrainConfig.defaults();
                System.out.printf("learning rate %.1e (peak; linear warm-up over %.0f%% of the steps, then %s decay)%n",
                        s.learningRate(), 100 * cfg.warmupFraction(), cfg.decay().name().toLowerCase(Locale.ROOT));
            }
            case FineTuneEvent.Step s -> {
                if (bar[0] == null) {
                    bar[0] = new ProgressBar(System.out, "train", s.totalSteps());
                }
                bar[0].update(s.step(), String.format("loss %.4f  %.0f tok/s", s.loss(), s.tokensPerSecond()));
                run.append(FinetuneCommand.fields("step", s.step(), "loss", s.loss(), "lr", s.learningRate(), "grad_norm",
                        s.gradientNorm(), "tokens_per_s", s.tokensPerSecond()));
            }
            case FineTuneEvent.RetrievalEvaluated r -> {
                RetrievalMetrics m = r.metrics();
                System.out.printf("retrieval %s: k-NN (k = %d) label accuracy %.4f  MRR %.4f  (%d held-out texts)%n",
                        r.step() == 0 ? "before training" : "after step " + r.step(), m.k(), m.knnAccuracy(),
                        m.meanReciprocalRank(), m.queries());
                run.append(FinetuneCommand.fields("step", r.step(), "knn_accuracy", m.knnAccuracy(), "mrr",
                        m.meanReciprocalRank(), "k", m.k(), "queries", m.queries()));
            }
            case FineTuneEvent.Stopped s -> System.out.printf("stopped at step %d (%s)%n", s.step(),
                    s.reason().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            case FineTuneEvent.Evaluated e -> { }     // classifier runs only
            case FineTuneEvent.Checkpointed k -> { }  // classifier runs only
            case FineTuneEvent.Finished f -> { }
        }
    }

    private void printSummary(BaseModel base, String methodName, Backend be, FineTuneResult result, int pairs,
                              double wall) {
        TrainResult r = result.training();
        System.out.println();
        System.out.println("┌──────────────────────────┬──────────────────────────────────┐");
        row("model", base.name());
        row("objective", "contrastive");
        row("method", methodName);
        row("backend", be.name());
        row("pairs", String.format("%,d", pairs));
        if (result.retrievalBefore() != null) {
            RetrievalMetrics before = result.retrievalBefore();
            RetrievalMetrics after = result.retrievalAfter();
            row("k-NN accuracy (k = " + after.k() + ")", String.format("%.4f → %.4f (%d texts)", before.knnAccuracy(),
                    after.knnAccuracy(), after.queries()));
            row("MRR", String.format("%.4f → %.4f", before.meanReciprocalRank(), after.meanReciprocalRank()));
        }
        row("trainable parameters", String.format("%,d (%.3f%%)", result.trainableParameters(),
                100 * result.trainableFraction()));
        row("steps", String.valueOf(r.steps()));
        row("training time", ProgressBar.duration(r.seconds()));
        row("training tokens/s", String.format("%.0f", r.tokensPerSecond()));
        row("wall time", ProgressBar.duration(wall));
        System.out.println("└──────────────────────────┴──────────────────────────────────┘");
        System.out.println("adapter: " + c.output.resolve(RunInfo.ADAPTER_DIR) + " (Hugging Face peft format; embed with "
                + "TextEncoder.builder(base).adapter(path), or Peft4jEmbeddingModel in langchain4j)");
        System.out.println("metrics: " + c.output.resolve("metrics.jsonl") + "  summary: "
                + c.output.resolve("summary.json") + "  plot: " + c.output.resolve("loss.png"));
    }

    private static void row(String k, String v) {
        System.out.printf("│ %-24s │ %-32s │%n", k, v);
    }

    private void writeSummary(BaseModel base, String methodName, Backend be, FineTuneResult result, int pairs,
                              int heldOut, double wall) throws IOException {
        TrainResult r = result.training();
        JsonObject s = new JsonObject();
        s.addProperty("objective", "contrastive");
        s.addProperty("model", base.name());
        s.addProperty("method", methodName);
        s.addProperty("backend", be.name());
        s.addProperty("dataset", o.pairs == null || o.given("--dataset") ? c.dataset.name() : null);
        s.addProperty("pairs_file", o.pairs == null ? null : o.pairs.toString());
        s.addProperty("pairs", pairs);
        s.addProperty("held_out", heldOut);
        s.addProperty("max_length", c.maxLength.tokens());
        s.addProperty("epochs", c.epochs);
        s.addProperty("batch", c.batch);
        s.addProperty("temperature", o.temperature);
        s.addProperty("seed", c.seed);
        s.addProperty("split_seed", c.splitSeed != null ? c.splitSeed : c.seed);
        if (result.retrievalBefore() != null) {
            s.addProperty("k", result.retrievalAfter().k());
            s.addProperty("knn_accuracy_before", result.retrievalBefore().knnAccuracy());
            s.addProperty("knn_accuracy_after", result.retrievalAfter().knnAccuracy());
            s.addProperty("mrr_before", result.retrievalBefore().meanReciprocalRank());
            s.addProperty("mrr_after", result.retrievalAfter().meanReciprocalRank());
        }
        s.addProperty("trainable_parameters", result.trainableParameters());
        s.addProperty("trainable_fraction", result.trainableFraction());
        s.addProperty("steps", r.steps());
        s.addProperty("cancelled", r.cancelled());
        s.addProperty("training_seconds", r.seconds());
        s.addProperty("tokens_per_second", r.tokensPerSecond());
        s.addProperty("wall_seconds", wall);
        Path tmp = c.output.resolve("summary.json.tmp");
        Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(s));
        Files.move(tmp, c.output.resolve("summary.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
