package dev.peft4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code finetune}'s training objective and the options of the contrastive one: {@code --objective classify} (a
 * classification head, the default) or {@code contrastive} (the encoder's embeddings, in-batch negatives over text
 * pairs: {@code --pairs FILE} with its columns, or pairs of same-label texts drawn from the training split).
 */
final class ObjectiveOptions {
    static final String CLASSIFY = "classify";
    static final String CONTRASTIVE = "contrastive";

    @Option(names = "--objective", description = "classify (a classification head, cross-entropy) or contrastive "
            + "(embeddings: in-batch negatives over text pairs; the adapter is for TextEncoder) (default ${DEFAULT-VALUE})")
    String objective = CLASSIFY;
    @Option(names = "--pairs", description = "contrastive: (anchor, positive) pairs from a .csv, .jsonl or .ndjson file "
            + "(default: pairs of same-label texts drawn from the training split); held-out retrieval is then scored "
            + "only with an explicit --dataset, on its test split")
    Path pairs;
    @Option(names = "--anchor-column", description = "contrastive: the anchor column/field of --pairs (default ${DEFAULT-VALUE})")
    String anchorColumn = "anchor";
    @Option(names = "--positive-column", description = "contrastive: the positive column/field of --pairs (default ${DEFAULT-VALUE})")
    String positiveColumn = "positive";
    @Option(names = "--pair-count", description = "contrastive: pairs drawn from the training split (default: one per training text)")
    Integer pairCount;
    @Option(names = "--temperature", description = "contrastive: temperature of the in-batch softmax (default ${DEFAULT-VALUE}, "
            + "sentence-transformers' scale 20)")
    float temperature = 0.05f;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** True for {@code --objective contrastive}; an unknown objective is an error. */
    boolean contrastive() {
        return switch (objective.toLowerCase(Locale.ROOT)) {
            case CLASSIFY -> false;
            case CONTRASTIVE -> true;
            default -> throw new UsageException("unknown --objective '" + objective + "'; use " + CLASSIFY
                    + " or " + CONTRASTIVE);
        };
    }

    /** Refuses the contrastive options in a classify run. */
    void requireNoContrastiveOptions() {
        for (String name : new String[] {"--pairs", "--anchor-column", "--positive-column", "--pair-count", "--temperature"}) {
            if (given(name)) {
                throw new UsageException(name + " applies to --objective contrastive only");
            }
        }
    }

    /** Whether the command line named {@code option} (not just its default). */
    boolean given(String option) {
        return command != null && command.commandLine() != null && command.commandLine().getParseResult() != null
                && command.commandLine().getParseResult().hasMatchedOption(option);
    }
}
