package dev.peft4j.cli;

import com.google.gson.JsonObject;
import dev.peft4j.backend.Backend;
import dev.peft4j.data.LabeledDataset;
import dev.peft4j.data.SplitSpec;
import dev.peft4j.data.Splits;
import dev.peft4j.peft.Methods;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PlanCodec;
import dev.peft4j.text.BaseModel;
import dev.peft4j.text.TextClassifier;
import dev.peft4j.text.FineTuneResult;
import dev.peft4j.text.FineTuneEvent;
import dev.peft4j.text.FineTune;
import dev.peft4j.train.Metrics;
import dev.peft4j.train.TrainConfig;
import dev.peft4j.train.TrainResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Fine-tunes a pretrained encoder with a PEFT method and a fresh classification head on a text-classification
 * dataset, then reports held-out accuracy. The defaults are the README's main job: MiniLM-L6, LoRA r = 8 on
 * query/value, IMDB with 4,000 training and 1,000 held-out reviews at 128 tokens, on the CPU.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune a pretrained encoder with a PEFT method on a classification dataset.")
final class FinetuneCommand implements Callable<Integer> {
    /** The held-out test predictions, one line per test example (see {@link EvalCommand#evaluate}). */
    static final String TEST_PREDICTIONS = "test-predictions.tsv";

    @Mixin
    ModelOption model = ModelOption.defaultingTo("minilm");
    @Mixin
    DatasetOptions dataset = new DatasetOptions();
    @Option(names = "--train", description = "training examples (default ${DEFAULT-VALUE})")
    int train = 4000;
    @Option(names = "--validation", description = "validation examples for model selection (default ${DEFAULT-VALUE})")
    int validation = 500;
    @Option(names = "--test", description = "held-out test examples (default ${DEFAULT-VALUE})")
    int test = 1000;
    @Mixin
    MaxLengthOption maxLength = new MaxLengthOption();
    @Option(names = "--method", description = "lora, houlsby, pfeiffer, parallel, prefix, bitfit, ia3, mam or head (default ${DEFAULT-VALUE})")
    String method = "lora";
    @Option(names = "--size", description = "LoRA rank / adapter width / prefix length (default: the method's own)")
    int size = 0;
    @Option(names = "--plan", description = "a plan file (from `peft4j search`) instead of --method")
    Path plan;
    @Option(names = "--tokens-after-prefix", description = "number the tokens after the prefix (one length on every "
            + "layer), as transformers runs a peft prefix, so that the exported PREFIX_TUNING adapter gives the same "
            + "states there (default: the tokens at positions 0..T-1)")
    boolean tokensAfterPrefix;
    @Option(names = "--epochs", description = "epochs (default ${DEFAULT-VALUE})")
    int epochs = 2;
    @Option(names = "--batch", description = "examples per step (default ${DEFAULT-VALUE})")
    int batch = TrainConfig.defaults().batchSize();
    @Option(names = "--lr", description = "peak learning rate (default: the method's own, 1e-3; prefix 1e-2, mam 2e-4; "
            + "with --plan, the rate of the methods the plan is built from, see Methods.learningRate)")
    Float lr;
    @Option(names = "--seed", description = "seed for initialisation, shuffling, dropout and (unless --split-seed) the data split (default ${DEFAULT-VALUE})")
    long seed = TrainConfig.defaults().seed();
    @Option(names = "--split-seed", description = "seed of the train/validation/test shuffle alone (default: --seed); "
            + "fix it to compare methods or seeds on one held-out set")
    Long splitSeed;
    @Mixin
    BackendOption backend = new BackendOption();
    @Option(names = "--output", description = "folder for the adapter, run.json, checkpoint, metrics.jsonl, summary.json, "
            + "test-predictions.tsv and plots (default ${DEFAULT-VALUE})")
    Path output = Path.of("runs", "finetune");
    @Option(names = "--checkpoint-every", description = "write a resumable checkpoint every N steps, 0 = never (default ${DEFAULT-VALUE})")
    int checkpointEvery = 50;
    @Option(names = "--resume", description = "continue the run in --output from its checkpoint (from step 0 if it has "
            + "none), with the run's settings; its metrics history is kept")
    boolean resume;
    @Option(names = "--overwrite", description = "replace the run in --output (by default a folder that holds a run is "
            + "refused)")
    boolean overwrite;
    @Spec
    CommandSpec spec;
    @Mixin
    ObjectiveOptions objective = new ObjectiveOptions();

    @Override
    public Integer call() throws IOException {
        if (objective.contrastive()) { // its own option checks: --train 0 is fine with --pairs
            try {
                return new ContrastiveFinetune(this).call();
            } catch (RunFolder.UsageException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
        }
        objective.requireNoContrastiveOptions();
        FinetuneChecks.check(this);
        int positions = model.base().config(0f).maxPositions(); // config.json only: the weights load later
        OptionChecks.between("--max-length", maxLength.tokens(), 3, positions,
                "the model has " + positions + " positions");
        long wallStart = System.nanoTime();
        try (RunFolder run = openRunFolder()) {
            return call(run, wallStart);
        } catch (RunFolder.UsageException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** The run folder, locked; nothing in it is written before training starts ({@link RunFolder#begin}). */
    private RunFolder openRunFolder() throws IOException {
        RunFolder run = RunFolder.open(output, resume, overwrite);
        if (!run.removedTemporaries().isEmpty()) {
            System.out.println("removed the temporary files of an interrupted run: " + run.removedTemporaries());
        }
        return run;
    }

    /** The --model, pooled as --pooling says (else as the model itself does). */
    BaseModel base() throws IOException {
        return model.base();
    }

    private int call(RunFolder run, long wallStart) throws IOException {
        BaseModel base = base();
        System.out.println("loading dataset " + dataset.name() + " ...");
        LabeledDataset data = dataset.load();
        if (train + validation + test > data.size()) {
            throw new IllegalArgumentException("dataset " + dataset.name() + " has " + data.size() + " examples, fewer than --train "
                    + train + " + --validation " + validation + " + --test " + test);
        }
        long dataSeed = splitSeed != null ? splitSeed : seed;
        Splits splits = data.split(SplitSpec.counts(train, validation, test), dataSeed);
        PeftPlan planValue = plan != null ? PlanCodec.read(plan) : null;
        run.check(fingerprint(base, data, splits, dataSeed, planValue));
        try (Backend be = backend.create()) {
            String methodName = plan != null ? "plan " + plan : method + (size > 0 ? " (size " + size + ")" : "");
            System.out.printf("model %s | method %s | backend %s | %d labels %s%n", base.name(), methodName,
                    be.name(), data.numLabels(), data.labelNames());
            System.out.printf("data %s: %d train, %d validation, %d test | %d tokens max | %d epochs × batch %d%n",
                    dataset.name(), splits.train().size(), splits.validation().size(), splits.test().size(),
                    maxLength.tokens(), epochs, batch);
            Path checkpoint = output.resolve("checkpoint.safetensors");
            if (run.mode() == RunFolder.Mode.RESUME) {
                System.out.println(Files.exists(checkpoint) ? "resuming from " + checkpoint
                        : "no checkpoint in " + output + ": the run starts again from step 0");
            }
            ProgressBar[] bar = new ProgressBar[1];
            FineTune.Builder job = FineTune.classifier(base, splits.train().examples(), data.labelNames())
                    .validation(splits.validation().examples()).epochs(epochs).batchSize(batch)
                    .maxLength(maxLength.tokens()).seed(seed).backend(be)
                    .checkpoint(checkpoint, checkpointEvery, resume)
                    .saveTo(output.resolve(RunInfo.ADAPTER_DIR))
                    .listener(event -> report(event, bar, run));
            if (planValue != null) {
                job.plan(planValue);
            } else {
                job.method(method, size);
            }
            if (lr != null) {
                job.learningRate(lr);
            }
            job.tokensAfterPrefix(tokensAfterPrefix);
            FineTuneResult result = job.build().run();
            run.begin(result.training().steps());
            RunInfo info = new RunInfo(model.name(), data.labelNames(), maxLength.tokens(), dataset.name(), train,
                    validation, test, seed, dataSeed, model.pooling());
            info.write(output);
            System.out.println("evaluating on " + splits.test().size() + " held-out examples ...");
            Metrics held;
            try (TextClassifier classifier = RunClassifier.open(output, info, be)) {
                held = EvalCommand.evaluate(classifier, splits.test().examples(), output.resolve(TEST_PREDICTIONS));
            }
            json(run, "test_loss", held.loss(), "test_accuracy", held.accuracy(), "test_macro_f1", held.macroF1());
            Curves.write(output, result.training().losses(), run.validationCurve());
            double wall = (System.nanoTime() - wallStart) / 1e9;
            printSummary(base, methodName, be, held, result, run, wall);
            writeSummary(base, methodName, be, held, result, run, wall);
        }
        return 0;
    }

    /**
     * What changes this run's result, for {@code --resume} to compare with the run's (the backend and the checkpoint
     * interval do not: a resume is exact across them up to rounding).
     */
    private RunFingerprint fingerprint(BaseModel base, LabeledDataset data, Splits splits, long dataSeed,
                                       PeftPlan planValue) throws IOException {
        RunFingerprint.Builder f = RunFingerprint.builder().set("--objective", "classify")
                .set("--model", base.name()).set("--dataset", dataset.name())
                .set("--train", train).set("--validation", validation).set("--test", test)
                .set("--max-length", maxLength.tokens()).set("--split-seed", dataSeed).set("--seed", seed);
        if (model.pooling() != null) { // only when given, so that runs from before the option still resume
            f.set("--pooling", model.pooling().name());
        }
        if (tokensAfterPrefix) { // likewise
            f.set("--tokens-after-prefix", "true");
        }
        if (planValue != null) {
            f.set("--plan", "a plan with SHA-256 " + RunFingerprint.sha256(PlanCodec.toJson(planValue).toString()));
        } else {
            f.set("--method", method.toLowerCase(java.util.Locale.ROOT)).set("--size", size);
        }
        // the peak rate the run trains with: --lr, else the plan's methods' rate, else the method's own
        f.set("--lr", lr != null ? lr : planValue != null
                ? Methods.learningRate(planValue, base.config(0f).hidden(), base.config(0f).intermediate())
                : Methods.learningRate(method))
                .set("--epochs", epochs).set("--batch", batch);
        return f.data(data.labelNames(), List.of(splits.train().examples(), splits.validation().examples(),
                splits.test().examples())).build();
    }

    /**
     * Prints a run's events and writes them to metrics.jsonl (one JSON object per step and per evaluation); the
     * first step is the run folder's first write ({@link RunFolder#begin}: up to there the options, data, plan and
     * checkpoint are all checked).
     */
    private static void report(FineTuneEvent event, ProgressBar[] bar, RunFolder run) {
        switch (event) {
            case FineTuneEvent.Started s -> {
                run.startClock();
                System.out.printf("trainable %,d parameters = %.3f%% of %,d (head included):%n", s.trainableParameters(),
                        100 * s.trainableFraction(), s.baseParameters());
                System.out.print(s.report().format());
                TrainConfig cfg = TrainConfig.defaults();
                System.out.printf("learning rate %.1e (peak; linear warm-up over %.0f%% of the steps, then %s decay)%n",
                        s.learningRate(), 100 * cfg.warmupFraction(), cfg.decay().name().toLowerCase(java.util.Locale.ROOT));
            }
            case FineTuneEvent.Step s -> {
                if (bar[0] == null) {
                    bar[0] = new ProgressBar(System.out, "train", s.totalSteps());
                }
                bar[0].update(s.step(), String.format("loss %.4f  %.0f tok/s", s.loss(), s.tokensPerSecond()));
                try {
                    run.begin(s.step() - 1);
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
                json(run, "step", s.step(), "loss", s.loss(), "lr", s.learningRate(), "grad_norm", s.gradientNorm(),
                        "tokens_per_s", s.tokensPerSecond(), "train_seconds", run.trainingSecondsNow());
            }
            case FineTuneEvent.Evaluated e -> {
                Metrics m = e.validation();
                System.out.printf("validation at step %d: accuracy %.4f  macro-F1 %.4f  loss %.4f%n", e.step(),
                        m.accuracy(), m.macroF1(), m.loss());
                json(run, "step", e.step(), "val_loss", m.loss(), "val_accuracy", m.accuracy(), "val_macro_f1",
                        m.macroF1());
            }
            case FineTuneEvent.Stopped s -> System.out.printf("stopped at step %d (%s)%n", s.step(),
                    s.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
            case FineTuneEvent.RetrievalEvaluated r -> { }   // embedding runs only (ContrastiveFinetune)
            case FineTuneEvent.Checkpointed c -> { }
            case FineTuneEvent.Finished f -> { }
        }
    }

    /** One metrics line: alternating keys and values (numbers as numbers, anything else as its string). */
    static JsonObject fields(Object... kv) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            if (v instanceof Number n) {
                o.addProperty((String) kv[i], n);
            } else {
                o.addProperty((String) kv[i], String.valueOf(v));
            }
        }
        return o;
    }

    private static void json(RunFolder run, Object... kv) {
        run.append(fields(kv));
    }

    private void printSummary(BaseModel base, String methodName, Backend be, Metrics held, FineTuneResult result,
                              RunFolder run, double wall) {
        TrainResult r = result.training();
        System.out.println();
        System.out.println("┌──────────────────────────┬──────────────────────────────────┐");
        row("model", base.name());
        row("method", methodName);
        row("backend", be.name());
        row("held-out accuracy", String.format("%.2f%% (%d examples)", 100 * held.accuracy(), held.count()));
        row("held-out macro-F1", String.format("%.4f", held.macroF1()));
        row("best validation acc.", r.bestValidation() == null ? "-" : String.format("%.2f%%", 100 * r.bestValidation().accuracy()));
        row("trainable parameters", String.format("%,d (%.3f%%)", result.trainableParameters(),
                100 * result.trainableFraction()));
        row("steps", String.valueOf(r.steps()));
        row("training time", ProgressBar.duration(trainingSeconds(r, run)));
        row("training tokens/s", String.format("%.0f", tokensPerSecond(r, run)));
        row("wall time", ProgressBar.duration(wall));
        System.out.println("└──────────────────────────┴──────────────────────────────────┘");
        System.out.println("adapter: " + output.resolve(RunInfo.ADAPTER_DIR) + " (Hugging Face peft format; use it with "
                + "peft4j eval|predict|merge|export --run " + output + ")");
        System.out.println("metrics: " + output.resolve("metrics.jsonl") + "  summary: " + output.resolve("summary.json")
                + "  plots: " + output.resolve("loss.png") + ", " + output.resolve("validation.png"));
    }

    private static void row(String k, String v) {
        System.out.printf("│ %-24s │ %-32s │%n", k, v);
    }

    /** Training seconds of the whole run: the steps before a resume (from the history) and this session's. */
    private static double trainingSeconds(TrainResult r, RunFolder run) {
        return run.trainingSecondsBefore() + r.seconds();
    }

    /** Tokens per training second of the whole run (the trainer's count includes a checkpoint's tokens). */
    private static double tokensPerSecond(TrainResult r, RunFolder run) {
        return r.tokens() / trainingSeconds(r, run);
    }

    /** summary.json: the whole run, across resumes (steps, training time and rate, sessions); wall time is this session's. */
    private void writeSummary(BaseModel base, String methodName, Backend be, Metrics held, FineTuneResult result,
                              RunFolder run, double wall) throws IOException {
        TrainResult r = result.training();
        JsonObject o = new JsonObject();
        o.addProperty("model", base.name());
        o.addProperty("method", methodName);
        o.addProperty("backend", be.name());
        o.addProperty("dataset", dataset.name());
        o.addProperty("train_examples", train);
        o.addProperty("test_examples", test);
        o.addProperty("max_length", maxLength.tokens());
        o.addProperty("epochs", epochs);
        o.addProperty("seed", seed);
        o.addProperty("split_seed", splitSeed != null ? splitSeed : seed);
        if (result.bestValidation() != null) { // the validation that selected the kept parameters
            o.addProperty("validation_accuracy", result.bestValidation().accuracy());
            o.addProperty("validation_macro_f1", result.bestValidation().macroF1());
        }
        o.addProperty("test_accuracy", held.accuracy());
        o.addProperty("test_macro_f1", held.macroF1());
        o.addProperty("trainable_parameters", result.trainableParameters());
        o.addProperty("trainable_fraction", result.trainableFraction());
        o.addProperty("steps", r.steps());
        o.addProperty("training_seconds", trainingSeconds(r, run));
        o.addProperty("tokens_per_second", tokensPerSecond(r, run));
        List<Long> starts = run.sessionStarts();
        o.addProperty("sessions", starts.size());
        com.google.gson.JsonArray resumed = new com.google.gson.JsonArray();
        starts.stream().skip(1).forEach(resumed::add);
        o.add("resumed_at_steps", resumed);
        o.addProperty("wall_seconds", wall);
        Path tmp = output.resolve("summary.json.tmp");
        Files.writeString(tmp, new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(o));
        Files.move(tmp, output.resolve("summary.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
