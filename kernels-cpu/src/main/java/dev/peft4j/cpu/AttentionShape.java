package dev.peft4j.cpu;

import dev.peft4j.tensor.Tensor;

/**
 * The geometry of one attention call: batch, T, d_model = heads·dh, dh padded to dp (a multiple of the vector
 * length), prefix length L, key count nk = L + T padded to nkp, and the score scale 1/√dh.
 */
record AttentionShape(int batch, int t, int dModel, int heads, int dh, int dp, int prefixLen, int nk, int nkp,
                      float scale) {
    static AttentionShape of(Tensor q, Tensor prefixK, int heads) {
        int dModel = q.dim(2);
        int dh = dModel / heads;
        int prefixLen = prefixK == null ? 0 : prefixK.dim(0);
        int nk = prefixLen + q.dim(1);
        return new AttentionShape(q.dim(0), q.dim(1), dModel, heads, dh, roundUp(dh), prefixLen, nk, roundUp(nk),
                (float) (1.0 / Math.sqrt(dh)));
    }

    static int roundUp(int n) {
        return (n + Simd.L - 1) / Simd.L * Simd.L;
    }
}
