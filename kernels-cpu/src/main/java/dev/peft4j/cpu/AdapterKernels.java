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
        // each array read and written at its tensor's offset (tensors may wrap part of a caller's array)
        Sgemm.gemm(pool, n, m, left(x.array(), x.offset(), false, d, d),
                right(wDown.array(), wDown.offset(), true, d, d), z.array(), z.offset(), m,
                LinearKernels.epilogue(bDown));
        if (y.array() != residual.array() || y.offset() != residual.offset()) {
            System.arraycopy(residual.array(), residual.offset(), y.array(), y.offset(), n * d);
        }
        Sgemm.Epilogue ep = new Sgemm.Epilogue(1f, bUp == null ? null : bUp.array(), bUp == null ? 0 : bUp.offset(), s);
        Sgemm.gemm(pool, n, d, left(z.array(), z.offset(), false, m, m).activated(f).scaled(s),
                right(wUp.array(), wUp.offset(), true, m, m), y.array(), y.offset(), d, ep);
    }

    static void backward(WorkerPool pool, Tensor dy, Tensor x, Tensor wDown, Tensor wUp, Tensor bUp, Activation f,
                         float s, Tensor z, Tensor dx, Tensor dWDown, Tensor dbDown, Tensor dWUp, Tensor dbUp,
                         Tensor dScale) {
        int n = Shapes.rows(dy);
        int d = dy.dim(-1);
        int m = wDown.dim(0);
        // each array read and written at its tensor's offset (tensors may wrap part of a caller's array)
        float[] dyv = dy.array();
        float[] zv = z.array();
        int dyo = dy.offset(), zo = z.offset();
        if (dWUp != null) {
            Sgemm.gemm(pool, d, m, left(dyv, dyo, true, d, n).scaled(s), right(zv, zo, false, m, n).activated(f),
                    dWUp.array(), dWUp.offset(), m, Sgemm.Epilogue.OVERWRITE);
        }
        float[] colDy = null;
        if (dbUp != null || (dScale != null && bUp != null)) {
            colDy = new float[d];
            VectorLoops.columnSums(dyv, dyo, n, d, 1f, colDy, 0);
            if (dbUp != null) {
                VectorLoops.scaleCopy(colDy, 0, s, dbUp.array(), dbUp.offset(), d);
            }
        }
        boolean needDz = dx != null || dWDown != null || dbDown != null;
        if (!needDz && dScale == null) {
            return;
        }
        float[] t = new float[n * m]; // [N,m]
        Sgemm.gemm(pool, n, m, left(dyv, dyo, false, d, d), right(wUp.array(), wUp.offset(), false, m, d), t, 0, m,
                Sgemm.Epilogue.OVERWRITE);
        if (dScale != null) {
            double acc = 0;
            for (int i = 0; i < n * m; i++) {
                acc += (double) ScalarMath.activation(f, zv[zo + i]) * t[i];
            }
            if (bUp != null) {
                float[] bu = bUp.array();
                int buo = bUp.offset();
                for (int j = 0; j < d; j++) {
                    acc += (double) bu[buo + j] * colDy[j];
                }
            }
            dScale.array()[dScale.offset()] = (float) acc;
        }
        if (!needDz) {
            return;
        }
        pool.parallelRange(n * m, 1 << 14,
                (from, to) -> ActivationKernels.backwardRange(f, t, 0, zv, zo, t, 0, s, from, to));
        if (dWDown != null) {
            Sgemm.gemm(pool, m, d, left(t, 0, true, m, n), right(x.array(), x.offset(), false, d, n),
                    dWDown.array(), dWDown.offset(), d, Sgemm.Epilogue.OVERWRITE);
        }
        if (dbDown != null) {
            VectorLoops.columnSums(t, 0, n, m, 1f, dbDown.array(), dbDown.offset());
        }
        if (dx != null) {
            Sgemm.gemm(pool, n, d, left(t, 0, false, m, m), right(wDown.array(), wDown.offset(), false, d, m),
                    dx.array(), dx.offset(), d, Sgemm.Epilogue.OVERWRITE);
        }
    }
}
