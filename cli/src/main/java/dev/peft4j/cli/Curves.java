package dev.peft4j.cli;

import dev.peft4j.report.Chart;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The PNG plots of a fine-tuning run: training loss per step (raw and smoothed) and the validation curves. */
final class Curves {
    private Curves() {}

    /** Writes loss.png and, when there were evaluations, validation.png ({step, loss, accuracy} rows). */
    static void write(Path dir, float[] losses, List<double[]> validation) throws IOException {
        int n = losses.length;
        double[] steps = new double[n];
        double[] raw = new double[n];
        double[] smooth = new double[n];
        double ema = Double.NaN;
        for (int i = 0; i < n; i++) {
            steps[i] = i + 1;
            raw[i] = losses[i];
            ema = Double.isNaN(ema) ? losses[i] : 0.9 * ema + 0.1 * losses[i];
            smooth[i] = ema;
        }
        Chart loss = new Chart("training loss", "step", "cross-entropy")
                .add(new Chart.Series("per step", steps, raw, Chart.Style.LINE, null))
                .add(new Chart.Series("moving average (0.9)", steps, smooth, Chart.Style.LINE, null));
        if (!validation.isEmpty()) {
            loss.add(new Chart.Series("validation", column(validation, 0), column(validation, 1), Chart.Style.POINTS, null));
        }
        writePng(loss, dir.resolve("loss.png"));
        if (!validation.isEmpty()) {
            writePng(new Chart("validation accuracy", "step", "accuracy")
                    .add(new Chart.Series("validation accuracy", column(validation, 0), column(validation, 2), Chart.Style.LINE, null)),
                    dir.resolve("validation.png"));
        }
    }

    /** The chart as an 800 × 500 PNG; a failure names the file (the image writer's own message does not). */
    private static void writePng(Chart chart, Path file) throws IOException {
        try {
            chart.writePng(file, 800, 500);
        } catch (IOException e) {
            throw dev.peft4j.io.IoErrors.withPath(file, e);
        }
    }

    private static double[] column(List<double[]> rows, int c) {
        return rows.stream().mapToDouble(r -> r[c]).toArray();
    }
}
