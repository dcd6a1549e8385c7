package dev.peft4j.cpu;

import dev.peft4j.tensor.Tensor;
import java.util.Arrays;

/** Embedding gather/scatter-add and masked mean pooling. */
final class TokenKernels {
    private TokenKernels() {}

    /** out[i] = table[ids[i]]. */
    static void embeddingForward(Tensor table, int[] ids, Tensor out) {
        int d = table.dim(-1);
        float[] tv = table.data(), ov = out.data();
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(tv, ids[i] * d, ov, i * d, d);
        }
    }

    /** dTable = 0, then dTable[ids[i]] += dOut[i], in id order (deterministic). */
    static void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        int d = dTable.dim(-1);
        float[] gv = dOut.data(), tv = dTable.data();
        Arrays.fill(tv, 0f);
        for (int i = 0; i < ids.length; i++) {
            VectorLoops.axpy(1f, gv, i * d, tv, ids[i] * d, d);
        }
    }

    /** out[b] = Σ_t mask[b,t]·x[b,t] / max(1, Σ_t mask[b,t]). */
    static void meanPoolForward(Tensor x, Tensor mask, Tensor out) {
        int batch = x.dim(0), t = x.dim(1), d = x.dim(2);
        float[] xv = x.data(), ov = out.data();
        float[] mv = mask == null ? null : mask.data();
        for (int b = 0; b < batch; b++) {
            Arrays.fill(ov, b * d, b * d + d, 0f);
            float count = 0f;
            for (int i = 0; i < t; i++) {
                float w = mv == null ? 1f : mv[b * t + i];
                count += w;
                if (w != 0f) {
                    VectorLoops.axpy(w, xv, (b * t + i) * d, ov, b * d, d);
                }
            }
            VectorLoops.scale(ov, b * d, 1f / Math.max(1f, count), d);
        }
    }

    /** dx[b,t] = mask[b,t]·dOut[b] / max(1, Σ_t mask[b,t]). */
    static void meanPoolBackward(Tensor dOut, Tensor mask, Tensor dx) {
        int batch = dx.dim(0), t = dx.dim(1), d = dx.dim(2);
        float[] gv = dOut.data(), xv = dx.data();
        float[] mv = mask == null ? null : mask.data();
        for (int b = 0; b < batch; b++) {
            float count = 0f;
            for (int i = 0; i < t; i++) {
                count += mv == null ? 1f : mv[b * t + i];
            }
            float inv = 1f / Math.max(1f, count);
            for (int i = 0; i < t; i++) {
                float w = (mv == null ? 1f : mv[b * t + i]) * inv;
                VectorLoops.scaleCopy(gv, b * d, w, xv, (b * t + i) * d, d);
            }
        }
    }
}
