package dev.peft4j.cuda;

import static dev.peft4j.cuda.Peft4jNative.*;

import org.bytedeco.javacpp.Pointer;

/** {@link DenseProducts} on peft4j's own tiled kernels (peft4j_gemm, peft4j_linear_forward/backward). */
final class TiledProducts implements DenseProducts {
    private final Pointer stream;

    TiledProducts(Pointer stream) {
        this.stream = stream;
    }

    @Override public void gemm(Pointer a, boolean transA, Pointer b, boolean transB, Pointer c, float alpha, float beta,
                               int batch, int m, int n, int k) {
        CudaStatus.check(peft4j_gemm(a, transA ? 1 : 0, b, transB ? 1 : 0, c, alpha, beta, batch, m, n, k, stream), "gemm");
    }

    @Override public void linearForward(Pointer x, Pointer w, Pointer bias, Pointer y, int n, int in, int out) {
        CudaStatus.check(peft4j_linear_forward(x, w, bias, y, n, in, out, stream), "linearForward");
    }

    @Override public void linearBackward(Pointer dy, Pointer x, Pointer w, Pointer dx, Pointer dw, Pointer db, int n,
                                         int in, int out) {
        CudaStatus.check(peft4j_linear_backward(dy, x, w, dx, dw, db, n, in, out, stream), "linearBackward");
    }

    @Override public void close() {}
}
