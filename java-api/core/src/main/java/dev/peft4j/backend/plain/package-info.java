/**
 * The plain-Java fallback backend ("plain"): float32 matrix products on a thread pool, the reference's kernels
 * elsewhere, on {@code java.base} alone. {@link dev.peft4j.backend.Backends} chooses it only when neither the cuda
 * nor the cpu backend can run (for example without {@code --add-modules jdk.incubator.vector}), and says so at WARNING.
 */
package dev.peft4j.backend.plain;
