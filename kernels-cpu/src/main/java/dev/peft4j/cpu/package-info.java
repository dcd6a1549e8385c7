/**
 * The Vector-API CPU backend: one kernel family per class (GEMM with packed panels, fused LoRA, attention,
 * adapters, normalisation, pointwise, optimizer), the work split over a pool of worker threads, at the vector width
 * {@code Simd} chose; a scalar path for {@code -Dpeft4j.cpu.vectorBits=0}.
 *
 * <p>One rule for vector code here: no method takes or returns a vector or a mask (only {@code Simd.sum}, once
 * per row). C2 boxes a vector that crosses a call it did not inline, and whether it inlines a helper depends on
 * compile order, so such a helper made a kernel several times slower in some JVMs and not in others. Helpers take
 * and return arrays; loops write their arithmetic out. {@code NoVectorCrossesACallTest} checks the rule.
 */
package dev.peft4j.cpu;
