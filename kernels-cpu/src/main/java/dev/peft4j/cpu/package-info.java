/**
 * The Vector-API CPU backend: one kernel family per class (GEMM with packed panels, fused LoRA, attention,
 * adapters, normalisation, pointwise, optimizer), the work split over a pool of worker threads, at the vector width
 * {@code Simd} chose; a scalar path for {@code -Dpeft4j.cpu.vectorBits=0}.
 */
package dev.peft4j.cpu;
