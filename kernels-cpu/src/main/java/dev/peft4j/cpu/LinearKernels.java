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
        forward(pool, x, w, null, bias, y);
    }

    /**
     * As {@link #forward(WorkerPool, Tensor, Tensor, Tensor, Tensor)}, reading W's panels from packedW if given.
     * x, W and y may wrap off-heap segments (read by the packing, written by the tile stores); bias is an array.
     */
    static void forward(WorkerPool pool, Tensor x, Tensor w, PackedWeight packedW, Tensor bias, Tensor y) {
        int n = Shapes.rows(x);
        int in = x.dim(-1);
        int out = w.dim(0);
        // x, W and y are read and written in place, Java arrays or off-heap segments alike
        Sgemm.gemm(pool, n, out, left(x, false, in, in), right(w, true, in, in), packedW, HostFloats.of(y), out,
                epilogue(bias));
    }

    /** dx {@code [N,in]} = dy W, dW {@code [out,in]} = dyᵀ x, db = Σ_rows dy; each nullable. */
    static void backward(WorkerPool pool, Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
        int n = Shapes.rows(dy);
        int out = dy.dim(-1);
        int in = w.dim(1);
        if (dx != null) {
            Sgemm.gemm(pool, n, in, left(dy.array(), dy.offset(), false, out, out), right(w.array(), w.offset(), false, in, out),
                    dx.array(), dx.offset(), in, Sgemm.Epilogue.OVERWRITE);
        }
        if (dw != null) {
            Sgemm.gemm(pool, out, in, left(dy.array(), dy.offset(), true, out, n), right(x.array(), x.offset(), false, in, n),
                    dw.array(), dw.offset(), in, Sgemm.Epilogue.OVERWRITE);
        }
        if (db != null) {
            VectorLoops.columnSums(dy.array(), dy.offset(), n, out, 1f, db.array(), db.offset());
        }
    }

    static Sgemm.Epilogue epilogue(Tensor bias) {
        return bias == null ? Sgemm.Epilogue.OVERWRITE : new Sgemm.Epilogue(0f, bias.array(), bias.offset(), 1f);
    }
}
