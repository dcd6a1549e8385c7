package dev.peft4j.cpu;

import dev.peft4j.tensor.Tensor;
import java.util.Arrays;

/** Embedding gather/scatter-add and masked mean pooling. */
final class TokenKernels {
    private TokenKernels() {}

    // each kernel reads and writes every array at its tensor's offset (tensors may wrap part of an array)

    /** out[i] = table[ids[i]]; table {@code [V,d]}, out {@code [ids,d]}. */
    static void embeddingForward(Tensor table, int[] ids, Tensor out) {
        int d = table.dim(-1);
        float[] tv = table.array(), ov = out.array();
        int to = table.offset(), oo = out.offset();
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(tv, to + ids[i] * d, ov, oo + i * d, d);
        }
    }

    /** dTable {@code [V,d]} = 0, then dTable[ids[i]] += dOut[i], in id order (deterministic). */
    static void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        int d = dTable.dim(-1);
        float[] gv = dOut.array(), tv = dTable.array();
        int go = dOut.offset(), to = dTable.offset();
        Arrays.fill(tv, to, to + (int) dTable.numel(), 0f);
        for (int i = 0; i < ids.length; i++) {
            VectorLoops.axpy(1f, gv, go + i * d, tv, to + ids[i] * d, d);
        }
    }

    /**
     * out[b] = Σ_t mask[b,t]·x[b,t] / max(1, Σ_t mask[b,t]); x {@code [B,T,d]}, mask {@code [B,T]} (nullable),
     * out {@code [B,d]}.
     */
    static void meanPoolForward(Tensor x, Tensor mask, Tensor out) {
        int batch = x.dim(0), t = x.dim(1), d = x.dim(2);
        float[] xv = x.array(), ov = out.array();
        int xo = x.offset(), oo = out.offset();
        float[] mv = mask == null ? null : mask.array();
        int mo = mask == null ? 0 : mask.offset();
        for (int b = 0; b < batch; b++) {
            Arrays.fill(ov, oo + b * d, oo + b * d + d, 0f);
            float count = 0f;
            for (int i = 0; i < t; i++) {
                float w = mv == null ? 1f : mv[mo + b * t + i];
                count += w;
                if (w != 0f) {
                    VectorLoops.axpy(w, xv, xo + (b * t + i) * d, ov, oo + b * d, d);
                }
            }
            VectorLoops.scale(ov, oo + b * d, 1f / Math.max(1f, count), d);
        }
    }

    /** dx[b,t] = mask[b,t]·dOut[b] / max(1, Σ_t mask[b,t]); dOut {@code [B,d]}, dx {@code [B,T,d]}. */
    static void meanPoolBackward(Tensor dOut, Tensor mask, Tensor dx) {
        int batch = dx.dim(0), t = dx.dim(1), d = dx.dim(2);
        float[] gv = dOut.array(), xv = dx.array();
        int go = dOut.offset(), xo = dx.offset();
        float[] mv = mask == null ? null : mask.array();
        int mo = mask == null ? 0 : mask.offset();
        for (int b = 0; b < batch; b++) {
            float count = 0f;
            for (int i = 0; i < t; i++) {
                count += mv == null ? 1f : mv[mo + b * t + i];
            }
            float inv = 1f / Math.max(1f, count);
            for (int i = 0; i < t; i++) {
                float w = (mv == null ? 1f : mv[mo + b * t + i]) * inv;
                VectorLoops.scaleCopy(gv, go + b * d, w, xv, xo + (b * t + i) * d, d);
            }
        }
    }
}
