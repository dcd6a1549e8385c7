package dev.peft4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The required {@code --run} option of the commands that use a finished fine-tuning run. */
final class RunOption {
    @Option(names = "--run", required = true, description = "the --output folder of a finetune run")
    Path run;
}
