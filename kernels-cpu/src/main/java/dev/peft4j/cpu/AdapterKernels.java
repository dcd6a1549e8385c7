package dev.peft4j.cpu;

import static dev.peft4j.cpu.GemmOperand.left;
import static dev.peft4j.cpu.GemmOperand.right;

import dev.peft4j.backend.Activation;
import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;

/**
 * The adapter bottleneck y = residual + s·(f(z) W_uᵀ + b_u), z = x W_dᵀ + b_d, on two GEMMs whose packing applies
 * f and s, so z {@code [N,m]} is the only intermediate (h = f(z) is never stored).
 *
 * <p>Backward: with t = dy W_u {@code [N,m]} (so dh = s·t), dz = s·t ⊙ f'(z) (computed in place in t);
 * dW_u = s·dyᵀ h, db_u = s·Σ_rows dy, dW_d = dzᵀ x, db_d = Σ_rows dz, dx = dz W_d, and
 * dScale = Σ dy ⊙ (h W_uᵀ + b_u) = Σ h ⊙ t + Σ_j b_u[j]·Σ_rows dy[·,j] (no [N,d] product needed).
 */
final class AdapterKernels {
    private AdapterKernels() {}

    static void forward(WorkerPool pool, Tensor x, Tensor residual, Tensor wDown, Tensor bDown, Tensor wUp,
                        Tensor bUp, Activation f, float s, Tensor y, Tensor z) {
        int n = Shapes.rows(x);
        int d = x.dim(-1);
        int m = wDown.dim(0);
        Sgemm.gemm(pool, n, m, left(x.data(), 0, false, d, d), right(wDown.data(), 0, true, d, d),
                z.data(), 0, m, LinearKernels.epilogue(bDown));
        if (y.data() != residual.data()) {
            System.arraycopy(residual.data(), 0, y.data(), 0, n * d);
        }
        Sgemm.Epilogue ep = new Sgemm.Epilogue(1f, bUp == null ? null : bUp.data(), 0, s);
        Sgemm.gemm(pool, n, d, left(z.data(), 0, false, m, m).activated(f).scaled(s),
                right(wUp.data(), 0, true, m, m), y.data(), 0, d, ep);
    }

    static void backward(WorkerPool pool, Tensor dy, Tensor x, Tensor wDown, Tensor wUp, Tensor bUp, Activation f,
                         float s, Tensor z, Tensor dx, Tensor dWDown, Tensor dbDown, Tensor dWUp, Tensor dbUp,
                         Tensor dScale) {
        int n = Shapes.rows(dy);
        int d = dy.dim(-1);
        int m = wDown.dim(0);
        float[] dyv = dy.data();
        float[] zv = z.data();
        if (dWUp != null) {
            Sgemm.gemm(pool, d, m, left(dyv, 0, true, d, n).scaled(s), right(zv, 0, false, m, n).activated(f),
                    dWUp.data(), 0, m, Sgemm.Epilogue.OVERWRITE);
        }
        float[] colDy = null;
        if (dbUp != null || (dScale != null && bUp != null)) {
            colDy = new float[d];
            VectorLoops.columnSums(dyv, 0, n, d, 1f, colDy, 0);
            if (dbUp != null) {
                VectorLoops.scaleCopy(colDy, 0, s, dbUp.data(), 0, d);
            }
        }
        boolean needDz = dx != null || dWDown != null || dbDown != null;
        if (!needDz && dScale == null) {
            return;
        }
        float[] t = new float[n * m];
        Sgemm.gemm(pool, n, m, left(dyv, 0, false, d, d), right(wUp.data(), 0, false, m, d), t, 0, m,
                Sgemm.Epilogue.OVERWRITE);
        if (dScale != null) {
            double acc = 0;
            for (int i = 0; i < n * m; i++) {
                acc += (double) ScalarMath.activation(f, zv[i]) * t[i];
            }
            if (bUp != null) {
                float[] bu = bUp.data();
                for (int j = 0; j < d; j++) {
                    acc += (double) bu[j] * colDy[j];
                }
            }
            dScale.data()[0] = (float) acc;
        }
        if (!needDz) {
            return;
        }
        pool.parallelRange(n * m, 1 << 14, (from, to) -> ActivationKernels.backwardRange(f, t, zv, t, s, from, to));
        if (dWDown != null) {
            Sgemm.gemm(pool, m, d, left(t, 0, true, m, n), right(x.data(), 0, false, d, n),
                    dWDown.data(), 0, d, Sgemm.Epilogue.OVERWRITE);
        }
        if (dbDown != null) {
            VectorLoops.columnSums(t, 0, n, m, 1f, dbDown.data(), 0);
        }
        if (dx != null) {
            Sgemm.gemm(pool, n, d, left(t, 0, false, m, m), right(wDown.data(), 0, false, d, m),
                    dx.data(), 0, d, Sgemm.Epilogue.OVERWRITE);
        }
    }
}
