package dev.peft4j.search;

import java.util.List;

/**
 * One S4 stage: the score distribution of every choice at the fidelity that decided it, the choice kept, a note when
 * the stage was skipped (then {@code decision} is null), how the decision stands against noise, and, with successive
 * halving, every choice's scores in the short screening (empty otherwise; {@code choices} then lists the promoted
 * choices at the long proxy).
 */
public record StageReport(S4Stage stage, List<ChoiceStats> choices, String chosen, String note, StageDecision decision,
                          List<ChoiceStats> screening) {
    public StageReport {
        choices = List.copyOf(choices);
        screening = List.copyOf(screening);
    }

    /** A stage decided at one fidelity. */
    public StageReport(S4Stage stage, List<ChoiceStats> choices, String chosen, String note, StageDecision decision) {
        this(stage, choices, chosen, note, decision, List.of());
    }
}
