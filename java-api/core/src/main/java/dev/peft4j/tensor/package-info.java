/**
 * Dense row-major float32 tensors and the memory behind them.
 *
 * <p>A {@link dev.peft4j.tensor.Tensor} lives on one {@link dev.peft4j.tensor.Device} over one
 * {@link dev.peft4j.tensor.Storage}. Storages the library allocates are owned (freed by the tensor that made them)
 * and counted by {@link dev.peft4j.tensor.MemoryAccounting}. Storages over a caller's memory are borrowed, never
 * counted nor freed: {@link dev.peft4j.tensor.Tensor#wrap(float[], int, int...)} borrows
 * {@code data[offset, offset + numel)} of a float array, zero-copy (host kernels index
 * {@link dev.peft4j.tensor.Tensor#array()} from {@link dev.peft4j.tensor.Tensor#offset()});
 * {@link dev.peft4j.tensor.Tensor#wrap(java.lang.foreign.MemorySegment, int...)} borrows a float[]-backed heap
 * segment the same way, or an off-heap segment through a {@link dev.peft4j.tensor.SegmentStorage} that host
 * backends copy in and out around each kernel.
 */
package dev.peft4j.tensor;
