package dev.peft4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.search.ProxySettings;
import dev.peft4j.search.Trial;
import dev.peft4j.search.TrialResult;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PNGs a fine-tuning run and a search write: readable images of the documented size with their series drawn. */
class PlotFilesTest {
    @TempDir
    Path dir;

    /** Pixels close to the palette's first colour (blue 0x1f77b4). */
    private static int bluePixels(BufferedImage img) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                if ((rgb & 0xff) > 150 && (rgb >> 16) < 80) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void curvesWriteLossAndValidationPngs() throws Exception {
        float[] losses = new float[120];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = (float) (0.7 * Math.exp(-i / 40.0) + 0.05 * Math.sin(i));
        }
        Curves.write(dir, losses, List.of(new double[] {40, 0.5, 0.71}, new double[] {80, 0.4, 0.78},
                new double[] {120, 0.37, 0.81}));
        for (String name : List.of("loss.png", "validation.png")) {
            BufferedImage img = ImageIO.read(dir.resolve(name).toFile());
            assertEquals(800, img.getWidth(), name);
            assertEquals(500, img.getHeight(), name);
            assertTrue(bluePixels(img) > 200, name + ": the first series is drawn (" + bluePixels(img) + " pixels)");
        }
    }

    @Test
    void paretoPlotWritesTheFrontAndTheBaselines() throws Exception {
        Path file = dir.resolve("pareto.png");
        ParetoPlot.write(file, "AutoPEFT", List.of(new double[] {0.2, 0.74}, new double[] {0.9, 0.8}, new double[] {2.5, 0.83}),
                List.of("a", "b", "c"), List.of(TrialResult.ok(new Trial("baseline/lora", PeftPlan.lora(2, LoraSpec.defaults()),
                        new ProxySettings(1, 0, 0, 1), "LoRA"), 0.79, 1000, 0.012, 3.0)));
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(560, img.getHeight());
        assertTrue(bluePixels(img) > 100, "the front is drawn (" + bluePixels(img) + " pixels)");
    }
}
