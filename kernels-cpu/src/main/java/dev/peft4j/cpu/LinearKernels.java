package dev.peft4j.cpu;

import static dev.peft4j.cpu.GemmOperand.left;
import static dev.peft4j.cpu.GemmOperand.right;

import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;

/** Dense linear layers on top of {@link Sgemm}: y = x Wᵀ + b and its backward. */
final class LinearKernels {
    private LinearKernels() {}

    /** y {@code [N,out]} = x {@code [N,in]}·Wᵀ ({@code [out,in]}) + b (nullable, fused into the GEMM's store). */
    static void forward(WorkerPool pool, Tensor x, Tensor w, Tensor bias, Tensor y) {
        int n = Shapes.rows(x);
        int in = x.dim(-1);
        int out = w.dim(0);
        Sgemm.gemm(pool, n, out, left(x.data(), 0, false, in, in), right(w.data(), 0, true, in, in),
                y.data(), 0, out, epilogue(bias));
    }

    /** dx {@code [N,in]} = dy W, dW {@code [out,in]} = dyᵀ x, db = Σ_rows dy; each nullable. */
    static void backward(WorkerPool pool, Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
        int n = Shapes.rows(dy);
        int out = dy.dim(-1);
        int in = w.dim(1);
        if (dx != null) {
            Sgemm.gemm(pool, n, in, left(dy.data(), 0, false, out, out), right(w.data(), 0, false, in, out),
                    dx.data(), 0, in, Sgemm.Epilogue.OVERWRITE);
        }
        if (dw != null) {
            Sgemm.gemm(pool, out, in, left(dy.data(), 0, true, out, n), right(x.data(), 0, false, in, n),
                    dw.data(), 0, in, Sgemm.Epilogue.OVERWRITE);
        }
        if (db != null) {
            VectorLoops.columnSums(dy.data(), 0, n, out, 1f, db.data(), 0);
        }
    }

    static Sgemm.Epilogue epilogue(Tensor bias) {
        return bias == null ? Sgemm.Epilogue.OVERWRITE : new Sgemm.Epilogue(0f, bias.data(), 0, 1f);
    }
}
