package dev.peft4j.search;

import java.util.List;

/**
 * One S4 stage: the score distribution of every choice, the choice kept, a note when the stage was skipped (then
 * {@code decision} is null), and how the decision stands against noise.
 */
public record StageReport(S4Stage stage, List<ChoiceStats> choices, String chosen, String note, StageDecision decision) {}
