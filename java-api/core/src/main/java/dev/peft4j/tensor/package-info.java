/**
 * Tensors: a shape over a {@link dev.peft4j.tensor.Storage} on one {@link dev.peft4j.tensor.Device}, the shape
 * helpers ({@link dev.peft4j.tensor.Shapes}) and the accounting of owned memory
 * ({@link dev.peft4j.tensor.MemoryAccounting}). Kernels live behind {@link dev.peft4j.backend.Backend}, not here.
 */
package dev.peft4j.tensor;
