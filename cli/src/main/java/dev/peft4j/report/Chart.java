package dev.peft4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A small 2-D chart written as PNG (headless Java2D): line and scatter series with labelled points, axes with
 * round ticks, a title and a legend. Enough for loss curves and Pareto fronts, with no plotting dependency.
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

    /** Renders {@code width × height} pixels and writes the PNG atomically (temporary file, then rename). */
    public void writePng(Path file, int width, int height) throws IOException {
        BufferedImage img = render(width, height);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        ImageIO.write(img, "png", tmp.toFile());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    BufferedImage render(int width, int height) {
        double[] xr = range(true);
        double[] yr = range(false);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int left = 80;
        int right = width - 20;
        int top = 40;
        int bottom = height - 55;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.setColor(Color.BLACK);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(title, (width - fm.stringWidth(title)) / 2, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        fm = g.getFontMetrics();
        // Axes and ticks.
        g.setColor(new Color(0xdddddd));
        for (double t : ticks(xr[0], xr[1])) {
            int px = px(t, xr, left, right);
            g.drawLine(px, top, px, bottom);
        }
        for (double t : ticks(yr[0], yr[1])) {
            int py = py(t, yr, top, bottom);
            g.drawLine(left, py, right, py);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        for (double t : ticks(xr[0], xr[1])) {
            String s = format(t);
            g.drawString(s, px(t, xr, left, right) - fm.stringWidth(s) / 2, bottom + 16);
        }
        for (double t : ticks(yr[0], yr[1])) {
            String s = format(t);
            g.drawString(s, left - 6 - fm.stringWidth(s), py(t, yr, top, bottom) + 4);
        }
        g.drawString(xLabel, (left + right - fm.stringWidth(xLabel)) / 2, height - 18);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(yLabel, -(top + bottom + fm.stringWidth(yLabel)) / 2, 18);
        rotated.dispose();
        // Series.
        int legendY = top + 16;
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            g.setColor(PALETTE[i % PALETTE.length]);
            g.setStroke(new BasicStroke(2f));
            int prevX = Integer.MIN_VALUE;
            int prevY = 0;
            for (int k = 0; k < s.x().length; k++) {
                if (!Double.isFinite(s.x()[k]) || !Double.isFinite(s.y()[k])) {
                    prevX = Integer.MIN_VALUE;
                    continue;
                }
                int cx = px(s.x()[k], xr, left, right);
                int cy = py(s.y()[k], yr, top, bottom);
                if (s.style() == Style.LINE) {
                    if (prevX != Integer.MIN_VALUE) {
                        g.drawLine(prevX, prevY, cx, cy);
                    }
                } else {
                    g.fillOval(cx - 4, cy - 4, 9, 9);
                }
                if (s.labels() != null && s.labels()[k] != null) {
                    g.drawString(s.labels()[k], cx + 6, cy - 6);
                }
                prevX = cx;
                prevY = cy;
            }
            g.fillRect(right - 170, legendY - 9, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), right - 152, legendY + 1);
            legendY += 17;
        }
        g.dispose();
        return img;
    }

    private double[] range(boolean xAxis) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : xAxis ? s.x() : s.y()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return new double[] {0, 1};
        }
        double pad = hi > lo ? 0.05 * (hi - lo) : Math.max(1e-9, Math.abs(lo) * 0.1 + 1e-3);
        return new double[] {lo - pad, hi + pad};
    }

    /** Round tick positions (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
    static List<Double> ticks(double lo, double hi) {
        double raw = (hi - lo) / 6;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        List<Double> out = new ArrayList<>();
        for (double t = Math.ceil(lo / step) * step; t <= hi + 1e-12 * step; t += step) {
            out.add(Math.abs(t) < 1e-12 * step ? 0 : t);
        }
        return out;
    }

    private static String format(double v) {
        if (v != 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) {
            return String.format("%.1e", v);
        }
        String s = String.format("%.4f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static int px(double v, double[] r, int a, int b) {
        return (int) Math.round(a + (v - r[0]) / (r[1] - r[0]) * (b - a));
    }

    private static int py(double v, double[] r, int top, int bottom) {
        return (int) Math.round(bottom - (v - r[0]) / (r[1] - r[0]) * (bottom - top));
    }
}
