/**
 * The CUDA backend: a JavaCPP binding of the C ABI in {@code native/include/peft4j.h}, cuBLAS through JavaCPP's
 * cuda preset for the matrix products, device memory owned by tensors and freed on close, host inputs staged
 * through pinned memory.
 */
package dev.peft4j.cuda;
