package dev.peft4j.model;

import dev.peft4j.tensor.Tensor;

/** The plain layer: y = x Wᵀ + b; backward dx = dy W, dW = dyᵀ x, db = Σ dy (each only when wanted). */
record DenseLinear(LinearWeights base) implements LinearMode {

    @Override
    public void forward(Tensor x, Pass pass, long dropoutSeed, Tensor y) {
        base.forward(x, y);
    }

    /** Only dW = dyᵀ x reads x: dx = dy W and db = Σ dy do not. */
    @Override
    public boolean backwardReadsInput() {
        return base.weight().trainable();
    }

    @Override
    public void backward(Tensor dy, Tensor x, Tensor dx) {
        Tensor dW = base.weight().grad();
        Tensor db = base.bias() == null ? null : base.bias().grad();
        if (dx != null || dW != null || db != null) {
            base.be().linearBackward(dy, x, base.w(), dx, dW, db);
        }
    }
}
