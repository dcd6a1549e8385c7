package dev.peft4j.search;

import java.util.Locale;

/**
 * Markdown reports of a search: each S4 stage's score distribution per choice and whether its decision was separated
 * from noise, or the AutoPEFT Pareto front.
 */
public final class SearchReport {
    private SearchReport() {}

    public static String s4(S4Result r) {
        StringBuilder sb = new StringBuilder("# S4 design-space search\n\n");
        for (StageReport st : r.stages()) {
            sb.append("## ").append(st.stage()).append("\n\n");
            if (st.note() != null) {
                sb.append("Skipped: ").append(st.note()).append(st.chosen() != null ? " (" + st.chosen() + ")" : "")
                        .append(".\n\n");
                continue;
            }
            if (!st.screening().isEmpty()) {
                sb.append("Screening at the short proxy (successive halving; the best third goes on):\n\n");
                table(sb, st.screening(), null);
                sb.append("\nPromoted, at the long proxy:\n\n");
            }
            table(sb, st.choices(), st.chosen());
            sb.append('\n').append("Decision: ").append(st.decision().describe()).append(".\n\n");
        }
        sb.append("## Result\n\n").append(r.config()).append("\n\n").append(budgetLine(r.plan(), r.maxShortfall())).append('\n');
        return sb.toString();
    }

    private static void table(StringBuilder sb, java.util.List<ChoiceStats> choices, String chosen) {
        sb.append("| choice | n | mean | std | min | max | failed | rejected | scores |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (ChoiceStats c : choices) {
            sb.append(String.format(Locale.ROOT, "| %s%s | %d | %.4f | %.4f | %.4f | %.4f | %d | %d | %s |%n",
                    c.label(), c.label().equals(chosen) ? " **(kept)**" : "", c.scores().size(), c.mean(),
                    c.std(), c.min(), c.max(), c.failed(), c.rejected(),
                    c.scores().stream().map(s -> String.format(Locale.ROOT, "%.3f", s)).toList()));
        }
    }

    /** One line per stage: the choice kept and whether the decision was separated from noise. */
    public static String s4Decisions(S4Result r) {
        StringBuilder sb = new StringBuilder();
        for (StageReport st : r.stages()) {
            sb.append(String.format(Locale.ROOT, "%-12s %s: %s%n", st.stage(), st.chosen() == null ? "-" : st.chosen(),
                    st.note() != null ? "skipped (" + st.note() + ")" : st.decision().describe()));
        }
        return sb.toString();
    }

    /**
     * The plan's exact count against the budget, with the allocator's tolerance: "B − t·B ≤ actual ≤ B", exact or
     * how far below.
     */
    public static String budgetLine(BudgetOutcome o, double maxShortfall) {
        if (!o.accepted()) {
            return o.toString();
        }
        return String.format(Locale.ROOT, "%d of %d budgeted parameters (%s; the allocator accepts up to %.0f %% below)",
                o.actual(), o.budget(), o.exact() ? "exact" : String.format(Locale.ROOT, "%d below, %.2f %%",
                        o.deviation(), 100 * o.relativeDeviation()), 100 * maxShortfall);
    }

    public static String autoPeft(AutoPeftResult r) {
        StringBuilder sb = new StringBuilder("# AutoPEFT multi-objective search\n\n");
        sb.append(String.format(Locale.ROOT, "%d successful trials, %d failed; hypervolume %.6g against (metric %.3g, "
                + "fraction %.4g).%n%n", r.evaluated().size(), r.failed(), r.hypervolume(), r.metricReference(),
                r.fractionReference()));
        sb.append("| configuration | metric | parameter fraction |\n|---|---|---|\n");
        for (ParetoPoint p : r.front()) {
            sb.append(String.format(Locale.ROOT, "| %s | %.4f | %.6f |%n", p.label(), p.metric(), p.fraction()));
        }
        return sb.toString();
    }
}
