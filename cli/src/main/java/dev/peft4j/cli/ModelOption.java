package dev.peft4j.cli;

import dev.peft4j.model.Pooling;
import dev.peft4j.text.BaseModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --model} and {@code --pooling} options: a pretrained encoder, built in (by name) or a Hugging Face BERT
 * folder (see {@link BaseModel#resolve}), and what a classifier head over it reads. Commands differ only in the
 * default model, which the help shows: create it with {@link #defaultingTo} in the command's field.
 */
final class ModelOption {
    @Option(names = "--model", description = "minilm, bge-small, or a Hugging Face BERT folder (config.json, "
            + "model.safetensors, tokenizer.json) (default ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--pooling", description = "what the head reads: mean, cls, or pooler (the [CLS] row through the "
            + "checkpoint's pooler, as transformers' BertForSequenceClassification; needs a Hugging Face folder with "
            + "pooler.dense.*, and makes the head and adapter exchangeable with transformers) (default: the model's own)")
    Pooling pooling;

    /** picocli's no-argument constructor: defaults to MiniLM. */
    ModelOption() {
        this("minilm");
    }

    private ModelOption(String defaultModel) {
        this.model = defaultModel;
    }

    /** The option with {@code defaultModel} as its default (and in the help text). */
    static ModelOption defaultingTo(String defaultModel) {
        return new ModelOption(defaultModel);
    }

    /**
     * The model as given ("minilm"), or a folder's absolute path, so that a run folder that records it finds the
     * model again from anywhere.
     */
    String name() {
        Path folder = Path.of(model);
        return Files.isDirectory(folder) ? folder.toAbsolutePath().normalize().toString() : model;
    }

    /** The model, pooled as --pooling says (else as the model itself does); an unknown name that is no folder
     *  either fails with the known ones. */
    BaseModel base() throws IOException {
        BaseModel b = BaseModel.resolve(name());
        return pooling == null ? b : b.withPooling(pooling);
    }

    /** --pooling, or null: the model's own. */
    Pooling pooling() {
        return pooling;
    }
}
