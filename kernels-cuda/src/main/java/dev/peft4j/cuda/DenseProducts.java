package dev.peft4j.cuda;

import org.bytedeco.javacpp.Pointer;

/**
 * The dense products of the CUDA backend on device addresses, queued on the backend's stream: {@link GemmEngine}
 * picks the implementation. Arguments are already checked ({@link dev.peft4j.backend.ValidatingBackend}); the
 * equations are those of {@link dev.peft4j.backend.Backend#gemm}, {@code linearForward} and {@code linearBackward}.
 */
interface DenseProducts extends AutoCloseable {

    /** C = α·op(A)·op(B) + β·C for each of {@code batch} row-major matrices; op(A) [m,k], op(B) [k,n], C [m,n]. */
    void gemm(Pointer a, boolean transA, Pointer b, boolean transB, Pointer c, float alpha, float beta, int batch,
              int m, int n, int k);

    /** y [n,out] = x [n,in] · Wᵀ (W [out,in]) + bias [out] (bias nullable). */
    void linearForward(Pointer x, Pointer w, Pointer bias, Pointer y, int n, int in, int out);

    /** dx = dy W, dW = dyᵀ x, db = Σ_rows dy, each nullable; dy [n,out], x [n,in], W [out,in]. */
    void linearBackward(Pointer dy, Pointer x, Pointer w, Pointer dx, Pointer dw, Pointer db, int n, int in, int out);

    /** Releases what this engine holds on the device (not the stream, which is the backend's). */
    @Override void close();
}
