package dev.peft4j.cli;

import dev.peft4j.report.Chart;
import dev.peft4j.search.TrialResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The search's PNG: validation metric against trainable-parameter percentage, the hand-made baselines beside it. */
final class ParetoPlot {
    private ParetoPlot() {}

    static void write(Path file, String searchName, List<double[]> points, List<String> labels, List<TrialResult> baselines)
            throws IOException {
        Chart chart = new Chart("validation metric vs trainable parameters", "trainable parameters (% of the base model)",
                "validation accuracy");
        if (!points.isEmpty()) {
            double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
            double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
            chart.add(new Chart.Series(searchName, x, y, x.length > 1 ? Chart.Style.LINE : Chart.Style.POINTS,
                    labels.toArray(String[]::new)));
        }
        List<TrialResult> ok = baselines.stream().filter(TrialResult::ok).toList();
        if (!ok.isEmpty()) {
            chart.add(new Chart.Series("hand-made methods", ok.stream().mapToDouble(r -> 100 * r.parameterFraction()).toArray(),
                    ok.stream().mapToDouble(TrialResult::metric).toArray(), Chart.Style.POINTS,
                    ok.stream().map(r -> r.trialId().substring("baseline/".length())).toArray(String[]::new)));
        }
        chart.writePng(file, 900, 560);
    }
}
