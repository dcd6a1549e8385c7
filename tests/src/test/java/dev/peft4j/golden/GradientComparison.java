package dev.peft4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.peft4j.io.TensorData;
import dev.peft4j.model.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Per-parameter gradient errors against golden gradients: e = ‖g − g*‖ / ‖g*‖ (Euclidean norms over the whole
 * tensor).
 *
 * <p>Some gradients are exactly zero in exact arithmetic: the key bias of a layer without prefix or (IA)³ adds
 * q·b_k to every score of a query, which the softmax cancels (the float64 golden is ~1e-17, a float32 run leaves
 * ~1e-7 of rounding). A relative error means nothing there, so a golden norm below {@link #ZERO} times the largest
 * golden norm counts as zero and its error is taken relative to that largest norm instead: ‖g‖ / max‖g*‖. Any
 * real mistake in such a gradient shows at the size of the others and fails just the same.
 */
record GradientComparison(List<Entry> entries) {
    /** Golden norms at or below this fraction of the largest are zero in exact arithmetic (float64 noise). */
    static final double ZERO = 1e-12;

    /** One parameter: its error norm ‖g − g*‖, golden norm ‖g*‖, own norm ‖g‖ and the norm the error is relative to. */
    record Entry(String name, double errorNorm, double goldenNorm, double norm, double scale) {
        double relative() {
            return errorNorm / scale;
        }

        boolean zeroGolden() {
            return scale != goldenNorm;
        }
    }

    static GradientComparison of(Map<String, TensorData> golden, List<Parameter> trainable) {
        double largest = 0;
        for (TensorData t : golden.values()) {
            largest = Math.max(largest, norm(t.data()));
        }
        List<Entry> out = new ArrayList<>();
        for (Parameter p : trainable) {
            TensorData want = golden.get(p.name());
            if (want == null) {
                throw new AssertionError("no golden gradient for trainable parameter " + p.name());
            }
            float[] got = p.grad().toArray();
            assertEquals(want.data().length, got.length, "gradient size of " + p.name());
            double err = 0;
            double ref = 0;
            double own = 0;
            for (int i = 0; i < got.length; i++) {
                double d = (double) got[i] - want.data()[i];
                err += d * d;
                ref += (double) want.data()[i] * want.data()[i];
                own += (double) got[i] * got[i];
            }
            double goldenNorm = Math.sqrt(ref);
            double scale = goldenNorm > ZERO * largest ? goldenNorm : largest;
            out.add(new Entry(p.name(), Math.sqrt(err), goldenNorm, Math.sqrt(own), scale));
        }
        return new GradientComparison(out);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    String summary() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            sb.append(String.format("%n    %-55s ‖g*‖ %.4g  ‖g‖ %.4g  rel %.3g%s", e.name(), e.goldenNorm(), e.norm(),
                    e.relative(), e.zeroGolden() ? " (zero golden: relative to max ‖g*‖)" : ""));
        }
        return entries.size() + " gradients" + sb;
    }

    void assertWithin(double tolerance, String what) {
        List<String> bad = new ArrayList<>();
        for (Entry e : entries) {
            if (!(e.relative() <= tolerance)) {
                bad.add(String.format("%s: ‖g − g*‖/%s = %.3g (‖g‖ = %.6g, golden ‖g*‖ = %.6g)", e.name(),
                        e.zeroGolden() ? "max‖g*‖" : "‖g*‖", e.relative(), e.norm(), e.goldenNorm()));
            }
        }
        if (!bad.isEmpty()) {
            fail(what + ": " + bad.size() + " of " + entries.size() + " gradients differ from PyTorch by more than "
                    + tolerance + " relative:\n  " + String.join("\n  ", bad));
        }
    }
}
