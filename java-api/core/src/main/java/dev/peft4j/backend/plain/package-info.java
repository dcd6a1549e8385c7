/**
 * The plain-Java fallback backend ("plain"): float32 kernels on a thread pool for the matrix products, attention,
 * activations, dropout, layer norm, softmax, cross-entropy and the optimiser, the reference's for the cheap rest, on
 * {@code java.base} alone. {@link dev.peft4j.backend.Backends} chooses it only when neither the cuda
 * nor the cpu backend can run (for example without {@code --add-modules jdk.incubator.vector}), and says so at WARNING.
 */
package dev.peft4j.backend.plain;
