package dev.peft4j.cuda;

import static org.bytedeco.cuda.global.cublas.*;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * {@link DenseProducts} on cuBLAS: one handle bound to the backend's stream, full FP32 math (the default math mode:
 * no TF32), row-major products through {@link ColumnMajorGemm}. Host-pointer mode: α and β are read from two host
 * floats when the call is made.
 * <ul>
 *   <li>gemm: cublasSgemm_v2 (batch 1) or cublasSgemmStridedBatched.</li>
 *   <li>linearForward: y = 1·biasᵀ (a k = 1 product with a column of ones, so the bias needs no kernel of its own),
 *       then y = x Wᵀ + 1·y; without a bias, y = x Wᵀ with β = 0.</li>
 *   <li>linearBackward: dx = dy W and dW = dyᵀ x by cuBLAS; db = Σ_rows dy by peft4j_bias_gradient (a fixed-order
 *       column reduction).</li>
 * </ul>
 * An empty inner dimension (k = 0) goes to peft4j's tiled kernel, which writes β·C (zeros for β = 0) without cuBLAS's
 * leading-dimension rules for empty matrices. The column of ones is device memory of this object, grown on demand
 * and freed by {@link #close()}.
 */
final class CublasProducts implements DenseProducts {
    /** CudaException statuses of cuBLAS failures are this plus the cublasStatus_t. */
    static final int CUBLAS_STATUS_BASE = 2000;

    private final Pointer stream;
    private final TiledProducts tiled;
    private final cublasContext handle = new cublasContext();
    private final FloatPointer alpha = new FloatPointer(1);
    private final FloatPointer beta = new FloatPointer(1);
    private CudaStorage ones;
    private boolean closed;

    /** Creates a cuBLAS handle and binds it to {@code stream}; cuBLAS must have loaded ({@link CublasLibrary}). */
    CublasProducts(Pointer stream) {
        this.stream = stream;
        this.tiled = new TiledProducts(stream);
        check(cublasCreate_v2(handle), "cublasCreate");
        try {
            check(cublasSetStream_v2(handle, new CUstream_st(stream)), "cublasSetStream");
        } catch (RuntimeException e) {
            cublasDestroy_v2(handle);
            throw e;
        }
    }

    @Override public void gemm(Pointer a, boolean transA, Pointer b, boolean transB, Pointer c, float alpha, float beta,
                               int batch, int m, int n, int k) {
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            tiled.gemm(a, transA, b, transB, c, alpha, beta, batch, m, n, k);
            return;
        }
        ColumnMajorGemm g = ColumnMajorGemm.forRowMajor(transA, transB, m, n, k);
        this.alpha.put(alpha);
        this.beta.put(beta);
        int opFirst = g.transFirst() ? CUBLAS_OP_T : CUBLAS_OP_N;
        int opSecond = g.transSecond() ? CUBLAS_OP_T : CUBLAS_OP_N;
        if (batch == 1) {
            check(cublasSgemm_v2(handle, opFirst, opSecond, g.m(), g.n(), g.k(), this.alpha, floats(b), g.ldFirst(),
                    floats(a), g.ldSecond(), this.beta, floats(c), g.ldc()), "cublasSgemm");
        } else {
            check(cublasSgemmStridedBatched(handle, opFirst, opSecond, g.m(), g.n(), g.k(), this.alpha, floats(b),
                    g.ldFirst(), g.strideFirst(), floats(a), g.ldSecond(), g.strideSecond(), this.beta, floats(c), g.ldc(),
                    g.strideC(), batch), "cublasSgemmStridedBatched");
        }
    }

    @Override public void linearForward(Pointer x, Pointer w, Pointer bias, Pointer y, int n, int in, int out) {
        float beta = 0f;
        if (bias != null) {
            gemm(ones(n), false, bias, false, y, 1f, 0f, 1, n, out, 1); // y = 1_n · biasᵀ
            beta = 1f;
        }
        gemm(x, false, w, true, y, 1f, beta, 1, n, out, in);
    }

    @Override public void linearBackward(Pointer dy, Pointer x, Pointer w, Pointer dx, Pointer dw, Pointer db, int n,
                                         int in, int out) {
        if (dx != null) {
            gemm(dy, false, w, false, dx, 1f, 0f, 1, n, in, out);
        }
        if (dw != null) {
            gemm(dy, true, x, false, dw, 1f, 0f, 1, out, in, n);
        }
        if (db != null) {
            CudaStatus.check(Peft4jNative.peft4j_bias_gradient(dy, db, n, out, stream), "linearBackward (bias gradient)");
        }
    }

    /** Destroys the handle and frees the column of ones; the stream must have been synchronized by the caller. */
    @Override public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (ones != null) {
                ones.free();
            }
        } finally {
            alpha.close();
            beta.close();
            check(cublasDestroy_v2(handle), "cublasDestroy");
        }
    }

    /** A device column of at least {@code n} ones ([n,1]). */
    private Pointer ones(int n) {
        if (ones == null || ones.length() < n) {
            CudaStorage grown = new CudaStorage(Math.max(n, ones == null ? 0 : 2 * ones.length()));
            CudaStatus.check(Peft4jNative.peft4j_fill(grown.pointer(), 1f, grown.length(), stream), "fill of the ones column");
            if (ones != null) {
                ones.free(); // cudaFree waits for the work queued before it, which may still read the old column
            }
            ones = grown;
        }
        return ones.pointer();
    }

    private static FloatPointer floats(Pointer device) {
        return new FloatPointer(device);
    }

    /** Throws {@link CudaException} with cuBLAS's message unless {@code status} is CUBLAS_STATUS_SUCCESS. */
    static void check(int status, String call) {
        if (status != CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(call + " failed: " + message(status) + " (cublasStatus_t " + status + ")",
                    CUBLAS_STATUS_BASE + status);
        }
    }

    private static String message(int status) {
        try {
            return cublasGetStatusString(status).getString();
        } catch (Throwable t) {
            return "cuBLAS status " + status;
        }
    }
}
