package dev.peft4j.cpu;

import static dev.peft4j.cpu.GemmOperand.left;
import static dev.peft4j.cpu.GemmOperand.right;

import dev.peft4j.backend.Activation;
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

    /** pre = x Wᵀ + b and y = f(pre): f runs on each finished row panel of pre while it is still in cache. */
    static void forwardActivated(WorkerPool pool, Tensor x, Tensor w, Tensor bias, Activation f, Tensor pre, Tensor y) {
        int n = Shapes.rows(x);
        int in = x.dim(-1);
        int out = w.dim(0);
        Sgemm.gemm(pool, n, out, left(x.data(), 0, false, in, in), right(w.data(), 0, true, in, in),
                pre.data(), 0, out, epilogue(bias).thenActivation(f, y.data()));
    }

    /** dx {@code [N,in]} = dy W, dW {@code [out,in]} = dyᵀ x, db = Σ_rows dy; each nullable. */
    static void backward(WorkerPool pool, Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
        backwardActivated(pool, dy, x, w, null, null, dx, dw, db);
    }

    /** As {@link #backward}, with dx = (dy W) ⊙ f'(pre) when f is not null (f' applied as dx's row panels finish). */
    static void backwardActivated(WorkerPool pool, Tensor dy, Tensor x, Tensor w, Activation f, Tensor pre,
                                  Tensor dx, Tensor dw, Tensor db) {
        int n = Shapes.rows(dy);
        int out = dy.dim(-1);
        int in = w.dim(1);
        if (dx != null) {
            Sgemm.Epilogue ep = f == null ? Sgemm.Epilogue.OVERWRITE : Sgemm.Epilogue.OVERWRITE.thenDerivative(f, pre.data());
            Sgemm.gemm(pool, n, in, left(dy.data(), 0, false, out, out), right(w.data(), 0, false, in, out),
                    dx.data(), 0, in, ep);
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
