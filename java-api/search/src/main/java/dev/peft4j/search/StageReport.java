package dev.peft4j.search;

import java.util.List;

/** One S4 stage: the score distribution of every choice, the choice kept, and a note when the stage was skipped. */
public record StageReport(S4Stage stage, List<ChoiceStats> choices, String chosen, String note) {}
