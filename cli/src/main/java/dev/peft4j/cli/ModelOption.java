package dev.peft4j.cli;

import dev.peft4j.text.BaseModel;
import picocli.CommandLine.Option;

/**
 * The {@code --model} option: a pretrained encoder the CLI knows by name (see {@link BaseModel}). Commands differ
 * only in the default, which the help shows: create it with {@link #defaultingTo} in the command's field.
 */
final class ModelOption {
    @Option(names = "--model", description = "minilm or bge-small (default ${DEFAULT-VALUE})")
    String model;

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

    /** The model as given, e.g. "minilm". */
    String name() {
        return model;
    }

    /** The named model; an unknown name fails with the known ones. */
    BaseModel base() {
        return BaseModel.named(model);
    }
}
