package dev.peft4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void ticksAreRoundAndCoverTheRange() {
        List<Double> t = Chart.ticks(0.03, 0.97);
        assertEquals(0.2, t.get(1) - t.get(0), 1e-12);
        assertTrue(t.get(0) >= 0.03 && t.get(t.size() - 1) <= 0.97);
        assertNotEquals(0, Chart.ticks(-3, 1250).size());
    }
}
