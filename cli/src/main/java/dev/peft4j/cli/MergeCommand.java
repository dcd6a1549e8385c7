package dev.peft4j.cli;

import dev.peft4j.adapter.HfCheckpoint;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.LoraMerge;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Folds a LoRA run into its base weights (W += s·B·A) and writes a standalone Hugging Face checkpoint folder
 * (config.json + model.safetensors with the classifier head) that needs no adapter to run.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge a LoRA run's adapter into the base weights and save a Hugging Face checkpoint folder.")
final class MergeCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "the --output folder of a finetune run with LoRA")
    Path run;
    @Option(names = "--output", required = true, description = "folder for config.json and model.safetensors")
    Path output;

    @Override
    public Integer call() throws Exception {
        try (Backend be = Backends.create("reference")) {
            TrainedClassifier t = TrainedClassifier.load(run, be);
            try (t.classifier) {
                int merged = LoraMerge.merge(t.classifier.encoder());
                if (merged == 0) {
                    throw new IllegalArgumentException("the run in " + run + " has no LoRA layers to merge");
                }
                HfCheckpoint.save(output, t.classifier);
                System.out.printf("merged %d LoRA layers into %s; wrote %s%n", merged, t.base.name(), output);
            }
        }
        return 0;
    }
}
