package dev.peft4j.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/** C[m,n] = A[m,k]·B[n,k]ᵀ by OpenBLAS's cblas_sgemm on off-heap copies of A and B, with its own thread count. */
final class OpenBlasGemm implements AutoCloseable {
    private final FloatPointer a;
    private final FloatPointer b;
    private final FloatPointer c;
    private final int m;
    private final int n;
    private final int k;

    OpenBlasGemm(float[] aRows, float[] bRows, int m, int n, int k, int threads) {
        this.m = m;
        this.n = n;
        this.k = k;
        a = new FloatPointer(aRows);
        b = new FloatPointer(bRows);
        c = new FloatPointer((long) m * n);
        openblas_nolapack.blas_set_num_threads(threads);
        if (openblas_nolapack.blas_get_num_threads() != threads) {
            throw new IllegalStateException("OpenBLAS runs " + openblas_nolapack.blas_get_num_threads()
                    + " threads, asked for " + threads);
        }
    }

    /** The thread count and the pinned core type (OPENBLAS_VERBOSE=2 makes OpenBLAS print the core it loaded). */
    String describe() {
        return "OpenBLAS (BLAS vendor id " + openblas_nolapack.blas_get_vendor() + "), "
                + openblas_nolapack.blas_get_num_threads() + " threads, OPENBLAS_CORETYPE="
                + System.getenv("OPENBLAS_CORETYPE");
    }

    FloatPointer multiply() {
        openblas_nolapack.cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1f, a, k, b, k, 0f, c, n);
        return c;
    }

    @Override
    public void close() {
        a.close();
        b.close();
        c.close();
    }
}
