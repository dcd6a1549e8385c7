package dev.peft4j.search;

import java.util.List;
import java.util.Locale;

/**
 * How an S4 stage's decision stands against noise: the closest rival (the other choice whose margin exceeds its
 * noise by the least: within noise when the decision is not separated, otherwise the one nearest to it), the kept
 * choice's margin over it (in the criterion mean − λ·std), the noise that margin is compared with (the larger of one
 * validation example's worth and the standard error of the difference of the two means, sqrt(s₁²/n₁ + s₂²/n₂)), how
 * many extra rounds of samples the choices within noise of the best got, which choices were still within noise at
 * the end, and whether an exact tie was broken by a draw seeded from the search seed and the stage (never by list
 * order). The rival is null when no other choice has a score.
 */
public record StageDecision(boolean separated, String rival, double margin, double noise, int extraRounds,
                            List<String> tied, boolean drawn) {
    public StageDecision {
        tied = List.copyOf(tied);
    }

    /** One line for the report and the console. */
    public String describe() {
        String extra = extraRounds == 0 ? "" : " after " + extraRounds + " extra round" + (extraRounds > 1 ? "s" : "")
                + " of samples";
        if (separated) {
            return rival == null ? "separated from noise: no other choice has a score"
                    : String.format(Locale.ROOT, "separated from noise%s: margin %.4f over the closest rival, %s, > noise %.4f",
                    extra, margin, rival, noise);
        }
        return String.format(Locale.ROOT, "NOT separated from noise%s: margin %.4f over %s ≤ noise %.4f; within noise: %s; "
                + "%s", extra, margin, rival, noise, String.join(", ", tied),
                drawn ? "an exact tie, broken by a seeded draw" : "kept the best criterion");
    }
}
