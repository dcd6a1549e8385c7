package dev.peft4j.backend;

import dev.peft4j.tensor.Tensor;

/**
 * A bottleneck adapter's parameters, shared by {@link Backend#adapterForward} and {@link Backend#adapterBackward}:
 * W_d {@code [m,d]}, b_d {@code [m]}, W_u {@code [d,m]}, b_u {@code [d]} (biases nullable; the backward does not
 * read b_d), the activation f and the output scale s. The two weights' shapes tell them apart, so a swap fails the
 * shape check that {@link ValidatingBackend} runs once per call.
 */
public record AdapterWeights(Tensor wDown, Tensor bDown, Tensor wUp, Tensor bUp, Activation f, float s) {}
