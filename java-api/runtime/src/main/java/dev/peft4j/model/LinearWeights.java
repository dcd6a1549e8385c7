package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;

/**
 * The base weights of a {@link Linear}, W {@code [out,in]} and b {@code [out]} (null for none), with the backend
 * that runs them: what every {@link LinearMode} computes on.
 */
record LinearWeights(Backend be, Parameter weight, Parameter bias) {

    Tensor w() {
        return weight.value();
    }

    /** b, or null when the layer has no bias. */
    Tensor b() {
        return bias == null ? null : bias.value();
    }

    int in() {
        return weight.value().dim(1);
    }

    int out() {
        return weight.value().dim(0);
    }

    /** y {@code [N,out]} = x Wᵀ + b. */
    void forward(Tensor x, Tensor y) {
        be.linearForward(x, w(), b(), y);
    }

    /** dW += dyᵀ x and db += Σ dy when W, b are trainable; nothing otherwise (dx is left to the caller). */
    void accumulateWeightGradients(Tensor dy, Tensor x) {
        Tensor dW = weight.grad();
        Tensor db = bias == null ? null : bias.grad();
        if (dW != null || db != null) {
            be.linearBackward(dy, x, w(), null, dW, db);
        }
    }
}
