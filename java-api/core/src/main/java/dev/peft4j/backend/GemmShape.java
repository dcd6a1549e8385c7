package dev.peft4j.backend;

import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;

/**
 * The shape and FLOP count of one call of a GEMM-shaped kernel, for {@link ProfilingBackend}. With N rows, in and
 * out features and LoRA rank r (each product of an [m,k] by a [k,n] matrix counts 2mkn):
 * <pre>
 *   linearForward   y = x Wᵀ + b                         2·N·in·out
 *   linearBackward  dx = dy W, dW = dyᵀ x                 2·N·in·out for each of dx, dW that is asked for
 *   loraForward     u = x̃ Aᵀ, y = [x, s·u]·[W, B]ᵀ + b     2·N·in·out + 2·N·r·(in + out)
 *   loraBackward    g = dy B, dB, dA, dx = dy W + s·g A     2·N·out·r (g) + dB 2·N·out·r + dA 2·N·r·in + dx 2·N·(out + r)·in
 * </pre>
 */
record GemmShape(String key, double flops) {

    /** The shape of this call, or null when the method is not one of the four above. */
    static GemmShape of(String method, Object[] args) {
        return switch (method) {
            case "linearForward" -> {
                Tensor x = (Tensor) args[0];
                Tensor w = (Tensor) args[1];
                yield shape(method, Shapes.rows(x), x.dim(-1), w.dim(0), 0, 2.0 * Shapes.rows(x) * x.dim(-1) * w.dim(0));
            }
            case "linearBackward" -> {
                Tensor dy = (Tensor) args[0];
                Tensor w = (Tensor) args[2];
                double one = 2.0 * Shapes.rows(dy) * w.dim(0) * w.dim(1);
                int products = (args[3] != null ? 1 : 0) + (args[4] != null ? 1 : 0);
                yield shape(method + (args[3] == null ? " (no dx)" : ""), Shapes.rows(dy), w.dim(1), w.dim(0), 0,
                        one * products);
            }
            case "loraForward" -> {
                Tensor x = (Tensor) args[0];
                Tensor w = (Tensor) args[1];
                int r = ((Tensor) args[3]).dim(0);
                double n = Shapes.rows(x);
                int in = x.dim(-1);
                int out = w.dim(0);
                yield shape(method, (int) n, in, out, r, 2 * n * in * out + 2 * n * r * (in + out));
            }
            case "loraBackward" -> {
                Tensor dy = (Tensor) args[0];
                Tensor w = (Tensor) args[2];
                int r = ((Tensor) args[3]).dim(0);
                double n = Shapes.rows(dy);
                int in = w.dim(1);
                int out = w.dim(0);
                boolean dx = args[8] != null;
                double f = (args[8] != null || args[9] != null ? 2 * n * out * r : 0)
                        + (args[10] != null ? 2 * n * out * r : 0)
                        + (args[9] != null ? 2 * n * r * in : 0)
                        + (dx ? 2 * n * (out + r) * in : 0);
                yield shape(method + (dx ? "" : " (no dx)"), (int) n, in, out, r, f);
            }
            default -> null;
        };
    }

    private static GemmShape shape(String name, int n, int in, int out, int r, double flops) {
        String lora = r > 0 ? ", r " + r : "";
        return new GemmShape(name + " " + n + "×" + in + "→" + out + lora, flops);
    }
}
