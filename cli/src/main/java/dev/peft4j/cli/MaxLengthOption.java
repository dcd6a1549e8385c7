package dev.peft4j.cli;

import picocli.CommandLine.Option;

/** The {@code --max-length} option: tokens per example after tokenisation, [CLS] and [SEP] included. */
final class MaxLengthOption {
    @Option(names = "--max-length", description = "tokens per example, special tokens included (default ${DEFAULT-VALUE})")
    int maxLength = 128;

    /** The tokens per example. */
    int tokens() {
        return maxLength;
    }
}
