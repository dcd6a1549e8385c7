package dev.peft4j.backend.reference;

import dev.peft4j.backend.DropoutHash;
import dev.peft4j.tensor.Tensor;

/** Elementwise kernels: copy, fill, add, mul, axpy and hashed dropout. Outputs may alias inputs elementwise. */
final class ReferenceElementwise {
    private ReferenceElementwise() {}

    static void copy(Tensor src, Tensor dst) {
        float[] s = src.data();
        System.arraycopy(s, 0, dst.data(), 0, s.length);
    }

    static void fill(Tensor t, float value) {
        java.util.Arrays.fill(t.data(), value);
    }

    /** out = a + b. */
    static void add(Tensor a, Tensor b, Tensor out) {
        float[] as = a.data();
        float[] bs = b.data();
        float[] o = out.data();
        for (int i = 0; i < as.length; i++) {
            o[i] = (float) ((double) as[i] + bs[i]);
        }
    }

    /** out = a ⊙ b. */
    static void mul(Tensor a, Tensor b, Tensor out) {
        float[] as = a.data();
        float[] bs = b.data();
        float[] o = out.data();
        for (int i = 0; i < as.length; i++) {
            o[i] = (float) ((double) as[i] * bs[i]);
        }
    }

    /** y ← y + α·x. */
    static void axpy(float alpha, Tensor x, Tensor y) {
        float[] xs = x.data();
        float[] ys = y.data();
        for (int i = 0; i < xs.length; i++) {
            ys[i] = (float) (ys[i] + (double) alpha * xs[i]);
        }
    }

    /**
     * Inverted dropout: keep[i] = DropoutHash.uniform(seed, i) ≥ p, mask[i] = keep ? 1/(1−p) : 0, y = x ⊙ mask,
     * for the flat element index i. y may alias x; mask nullable.
     */
    static void dropout(Tensor x, float p, long seed, Tensor y, Tensor mask) {
        float[] xs = x.data();
        float[] ys = y.data();
        float[] ms = mask == null ? null : mask.data();
        float keepScale = DropoutHash.keepScale(p);
        for (int i = 0; i < xs.length; i++) {
            float m = DropoutHash.uniform(seed, i) >= p ? keepScale : 0f;
            if (ms != null) {
                ms[i] = m;
            }
            ys[i] = (float) ((double) xs[i] * m);
        }
    }
}
