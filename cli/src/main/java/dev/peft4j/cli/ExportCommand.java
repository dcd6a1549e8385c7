package dev.peft4j.cli;

import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.adapter.PeftType;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes a run's adapter as a Hugging Face peft adapter folder, naming the base model as the user's hub id. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a run's adapter in Hugging Face peft's format (adapter_config.json + adapter_model.safetensors).")
final class ExportCommand implements Callable<Integer> {
    @Mixin
    RunOption run = new RunOption();
    @Option(names = "--output", required = true, description = "the adapter folder to write")
    Path output;
    @Option(names = "--base-model-name", description = "base_model_name_or_path to record (default: the model's name)")
    String baseModelName;

    @Override
    public Integer call() throws Exception {
        try (Backend be = Backends.create("reference")) {
            TrainedClassifier t = TrainedClassifier.load(run.run, be);
            try (t.classifier) {
                String name = baseModelName != null ? baseModelName : t.base.name();
                PeftType type = AdapterIo.save(output, AdapterModel.of(t.classifier), name);
                System.out.printf("wrote a %s adapter for %s to %s%n", type, name, output);
                if (type == PeftType.PREFIX_TUNING && t.classifier.encoder().positionOffset() == 0) {
                    System.out.println("note: this prefix was trained with the tokens at positions 0..T-1; transformers"
                            + " numbers them after the prefix, so its states there differ (train with"
                            + " --tokens-after-prefix for the same states)");
                }
            }
        }
        return 0;
    }
}
