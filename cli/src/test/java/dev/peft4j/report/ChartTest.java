package dev.peft4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYDataset;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartTest {
    @Test
    void writesAPngWithTheSeriesDrawn(@TempDir Path dir) throws Exception {
        Chart c = new Chart("loss", "step", "loss")
                .add(new Chart.Series("train", new double[] {1, 2, 3, 4}, new double[] {0.7, 0.5, 0.4, 0.35}, Chart.Style.LINE, null))
                .add(new Chart.Series("front", new double[] {1, 3}, new double[] {0.6, 0.4}, Chart.Style.POINTS,
                        new String[] {"a", "b"}));
        Path file = dir.resolve("loss.png");
        c.writePng(file, 400, 300);
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(400, img.getWidth());
        assertEquals(300, img.getHeight());
        int coloured = 0;
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 400; x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                int r = rgb >> 16;
                int b = rgb & 0xff;
                if (b > 150 && r < 80) {
                    coloured++;
                }
            }
        }
        assertTrue(coloured > 100, "the first series' blue line is drawn (" + coloured + " pixels)");
        assertTrue(Files.list(dir).noneMatch(p -> p.toString().endsWith(".tmp")));
    }

    @Test
    void theChartHoldsTheTitleAxesSeriesAndPointLabels() {
        Chart c = new Chart("validation metric vs trainable parameters", "trainable parameters (%)", "validation accuracy")
                .add(new Chart.Series("S4", new double[] {0.5, 1.0, Double.NaN, 2.0}, new double[] {0.80, Double.NaN, 0.9, 0.86},
                        Chart.Style.LINE, new String[] {"a", "b", "dropped", "c"}))
                .add(new Chart.Series("hand-made methods", new double[] {1.5}, new double[] {0.84}, Chart.Style.POINTS,
                        new String[] {"lora"}));
        JFreeChart chart = c.toJFreeChart();
        assertEquals("validation metric vs trainable parameters", chart.getTitle().getText());
        XYPlot plot = chart.getXYPlot();
        assertEquals("trainable parameters (%)", plot.getDomainAxis().getLabel());
        assertEquals("validation accuracy", plot.getRangeAxis().getLabel());
        XYDataset data = plot.getDataset();
        assertEquals(2, data.getSeriesCount());
        assertEquals("S4", data.getSeriesKey(0));
        assertEquals("hand-made methods", data.getSeriesKey(1));
        assertEquals(3, data.getItemCount(0), "the point with a non-finite x is left out");
        assertEquals(0.86, data.getYValue(0, 2), 0);
        assertTrue(Double.isNaN(data.getYValue(0, 1)), "a non-finite y is a gap in the line");
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
        assertTrue(r.getSeriesLinesVisible(0));
        assertFalse(r.getSeriesLinesVisible(1));
        assertEquals("c", r.getItemLabelGenerator(0, 2).generateLabel(data, 0, 2), "labels stay with their points");
        assertEquals("lora", r.getItemLabelGenerator(1, 0).generateLabel(data, 1, 0));
        assertNotEquals(0, plot.getRangeAxis().getLowerBound(), "the axis fits the data instead of starting at 0");
        assertTrue(chart.getLegend().isVisible());
    }

    @Test
    void seriesWithTheSameNameAreBothKept() {
        Chart c = new Chart("t", "x", "y")
                .add(new Chart.Series("run", new double[] {1, 2}, new double[] {1, 2}, Chart.Style.LINE, null))
                .add(new Chart.Series("run", new double[] {1, 2}, new double[] {2, 3}, Chart.Style.LINE, null));
        assertEquals(2, c.toJFreeChart().getXYPlot().getDataset().getSeriesCount());
    }
}
