package dev.peft4j.cpu;

import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.backend.Activation;
import dev.peft4j.tensor.Tensor;

/**
 * Runs the CPU kernels that use exp or tanh on fixed inputs and prints one 64-bit digest of every output bit, so a
 * test can compare the bits of a JVM that only interprets ({@code -Xint}) with those of a warmed-up, compiled run.
 */
public final class KernelBitsProbe {
    private KernelBitsProbe() {}

    public static void main(String[] args) {
        System.out.println(Long.toHexString(digest()));
    }

    /** The digest of the outputs of activations, softmax, attention, layer norm and LoRA (forward and backward) on fixed inputs. */
    static long digest() {
        int rows = 7, cols = 99; // odd: vector parts and partial vectors
        float[] xs = new float[rows * cols];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) (9 * Math.sin(0.731 * i + 0.3) * Math.cos(0.117 * i)); // [-9, 9]
        }
        long h = 0xcbf29ce484222325L;
        try (CpuBackend be = new CpuBackend(1, false)) {
            Tensor x = Tensor.of(xs, rows, cols);
            Tensor y = Tensor.zeros(rows, cols);
            for (Activation f : Activation.values()) {
                be.activationForward(f, x, y);
                h = mix(h, y);
                be.activationBackward(f, x, x, y);
                h = mix(h, y);
            }
            be.softmaxForward(x, y);
            h = mix(h, y);
            int b = 2, t = 9, heads = 2, d = 2 * 8;
            Tensor q = Tensor.of(java.util.Arrays.copyOf(xs, b * t * d), b, t, d);
            Tensor o = Tensor.zeros(b, t, d);
            Tensor lse = Tensor.zeros(b, heads, t);
            be.attentionForward(new AttentionInputs(q, q, q, null, null, null, false, heads), o, lse);
            h = mix(mix(h, o), lse);
            Tensor dq = Tensor.zeros(b, t, d), dk = Tensor.zeros(b, t, d), dv = Tensor.zeros(b, t, d);
            be.attentionBackward(q, new AttentionInputs(q, q, q, null, null, null, true, heads), o, lse, AttentionGradients.none().withDq(dq).withDk(dk).withDv(dv));
            h = mix(mix(mix(h, dq), dk), dv);
            Tensor gamma = Tensor.of(java.util.Arrays.copyOf(xs, cols), cols);
            Tensor mean = Tensor.zeros(rows), rstd = Tensor.zeros(rows);
            be.layerNormForward(x, gamma, gamma, 1e-5f, y, mean, rstd);
            h = mix(mix(mix(h, y), mean), rstd);
            Tensor dx = Tensor.zeros(rows, cols), dGamma = Tensor.zeros(cols), dBeta = Tensor.zeros(cols);
            be.layerNormBackward(x, x, gamma, mean, rstd, dx, dGamma, dBeta);
            h = mix(mix(mix(h, dx), dGamma), dBeta);
            int r = 5, out = 37;
            Tensor w = Tensor.of(java.util.Arrays.copyOf(xs, out * cols), out, cols);
            Tensor a = Tensor.of(java.util.Arrays.copyOfRange(xs, 11, 11 + r * cols), r, cols);
            Tensor bl = Tensor.of(java.util.Arrays.copyOfRange(xs, 7, 7 + out * r), out, r);
            Tensor yl = Tensor.zeros(rows, out), u = Tensor.zeros(rows, r);
            be.loraForward(x, w, null, a, bl, 0.5f, null, yl, u);
            Tensor dA = Tensor.zeros(r, cols), dB = Tensor.zeros(out, r);
            be.loraBackward(yl, x, w, a, bl, u, 0.5f, null, dx, dA, dB);
            h = mix(mix(mix(mix(mix(h, yl), u), dx), dA), dB);
        }
        return h;
    }

    private static long mix(long h, Tensor t) {
        for (float v : t.toArray()) {
            h = (h ^ Float.floatToRawIntBits(v)) * 0x100000001b3L;
        }
        return h;
    }
}
