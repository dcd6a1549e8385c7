package dev.peft4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.XYItemLabelGenerator;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A 2-D chart written as PNG by JFreeChart: line and scatter series with labelled points, numeric axes that fit the
 * data (not forced through zero), a title and a legend. Used for the loss and validation curves of a fine-tuning run
 * and the Pareto plot of a search.
 */
public final class Chart {
    /** How a series is drawn. */
    public enum Style { LINE, POINTS }

    /** One named series; {@code labels} (nullable) annotate the points. */
    public record Series(String name, double[] x, double[] y, Style style, String[] labels) {
        public Series {
            if (x.length != y.length || (labels != null && labels.length != x.length)) {
                throw new IllegalArgumentException("series '" + name + "': x, y (and labels) must have the same length");
            }
        }
    }

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    public Chart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public Chart add(Series s) {
        series.add(s);
        return this;
    }

    /**
     * Renders {@code width × height} pixels and writes the PNG atomically (temporary file, then rename); a write that
     * fails (a full disk) removes its temporary file and leaves the old PNG as it was.
     */
    public void writePng(Path file, int width, int height) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            ChartUtils.saveChartAsPNG(tmp.toFile(), toJFreeChart(), width, height);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * The chart as JFreeChart draws it: one XY series per {@link Series} (a non-finite y breaks a line, a point with a
     * non-finite x is left out), lines or dots by style, point labels drawn beside their points.
     */
    JFreeChart toJFreeChart() {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            XYSeries xy = new XYSeries(s.name() + (sameNameBefore(i) ? " (" + (i + 1) + ")" : ""), false, true);
            for (int k = 0; k < s.x().length; k++) {
                if (Double.isFinite(s.x()[k])) {
                    xy.add(s.x()[k], Double.isFinite(s.y()[k]) ? (Number) s.y()[k] : null);
                }
            }
            data.addSeries(xy);
            Color colour = PALETTE[i % PALETTE.length];
            renderer.setSeriesPaint(i, colour);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
            renderer.setSeriesLinesVisible(i, s.style() == Style.LINE);
            renderer.setSeriesShapesVisible(i, s.style() == Style.POINTS || (s.labels() != null && s.style() == Style.LINE));
            if (s.labels() != null) {
                renderer.setSeriesItemLabelGenerator(i, labels(s));
                renderer.setSeriesItemLabelsVisible(i, true);
                renderer.setSeriesItemLabelPaint(i, Color.DARK_GRAY);
            }
        }
        NumberAxis x = new NumberAxis(xLabel);
        NumberAxis y = new NumberAxis(yLabel);
        x.setAutoRangeIncludesZero(false);
        y.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 15)));
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        return chart;
    }

    /** JFreeChart keys series by name: a repeated name gets its position appended so both series are kept. */
    private boolean sameNameBefore(int i) {
        for (int j = 0; j < i; j++) {
            if (series.get(j).name().equals(series.get(i).name())) {
                return true;
            }
        }
        return false;
    }

    /** The series' labels by point; points left out (non-finite x) are skipped so the indices stay aligned. */
    private static XYItemLabelGenerator labels(Series s) {
        List<String> kept = new ArrayList<>();
        for (int k = 0; k < s.x().length; k++) {
            if (Double.isFinite(s.x()[k])) {
                kept.add(s.labels()[k]);
            }
        }
        return (dataset, seriesIndex, item) -> item < kept.size() ? kept.get(item) : null;
    }
}
