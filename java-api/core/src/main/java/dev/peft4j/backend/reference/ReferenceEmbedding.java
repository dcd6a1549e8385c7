package dev.peft4j.backend.reference;

import dev.peft4j.tensor.Tensor;

/** Row gathers and poolings: embedding lookup with its scatter-add backward, and masked mean pooling. */
final class ReferenceEmbedding {
    private ReferenceEmbedding() {}

    /** out[i] = table[ids[i]]; table [V,D], out [ids.length, D]. */
    static void forward(Tensor table, int[] ids, Tensor out) {
        int dim = table.dim(1);
        float[] t = table.data();
        float[] o = out.data();
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(t, ids[i] * dim, o, i * dim, dim);
        }
    }

    /** dTable = 0, then dTable[ids[i]] += dOut[i]; repeated ids accumulate (in double). */
    static void backward(Tensor dOut, int[] ids, Tensor dTable) {
        int dim = dTable.dim(1);
        double[] acc = new double[(int) dTable.numel()];
        float[] g = dOut.data();
        for (int i = 0; i < ids.length; i++) {
            for (int e = 0; e < dim; e++) {
                acc[ids[i] * dim + e] += g[i * dim + e];
            }
        }
        float[] d = dTable.data();
        for (int i = 0; i < acc.length; i++) {
            d[i] = (float) acc[i];
        }
    }

    /** out[b] = Σ_t mask[b,t]·x[b,t] / max(1, Σ_t mask[b,t]); x [B,T,D], mask [B,T] nullable (all 1), out [B,D]. */
    static void meanPoolForward(Tensor x, Tensor mask, Tensor out) {
        int batch = x.dim(0);
        int seq = x.dim(1);
        int dim = x.dim(2);
        float[] xs = x.data();
        float[] ms = mask == null ? null : mask.data();
        float[] o = out.data();
        for (int b = 0; b < batch; b++) {
            double denom = Math.max(1.0, maskSum(ms, b, seq));
            for (int e = 0; e < dim; e++) {
                double sum = 0;
                for (int t = 0; t < seq; t++) {
                    sum += weight(ms, b, seq, t) * xs[(b * seq + t) * dim + e];
                }
                o[b * dim + e] = (float) (sum / denom);
            }
        }
    }

    /** Derivation: out is linear in x, ∂out[b,e]/∂x[b,t,e] = mask[b,t]/max(1, Σ_t mask[b,t]). */
    static void meanPoolBackward(Tensor dOut, Tensor mask, Tensor dx) {
        int batch = dx.dim(0);
        int seq = dx.dim(1);
        int dim = dx.dim(2);
        float[] g = dOut.data();
        float[] ms = mask == null ? null : mask.data();
        float[] d = dx.data();
        for (int b = 0; b < batch; b++) {
            double denom = Math.max(1.0, maskSum(ms, b, seq));
            for (int t = 0; t < seq; t++) {
                double w = weight(ms, b, seq, t) / denom;
                for (int e = 0; e < dim; e++) {
                    d[(b * seq + t) * dim + e] = (float) (w * g[b * dim + e]);
                }
            }
        }
    }

    private static double maskSum(float[] ms, int b, int seq) {
        double sum = 0;
        for (int t = 0; t < seq; t++) {
            sum += weight(ms, b, seq, t);
        }
        return sum;
    }

    private static double weight(float[] ms, int b, int seq, int t) {
        return ms == null ? 1.0 : ms[b * seq + t];
    }
}
