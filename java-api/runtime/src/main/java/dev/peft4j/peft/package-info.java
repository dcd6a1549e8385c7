/**
 * PEFT plans: for every layer, which methods (LoRA, serial and parallel adapters, prefix, BitFit, (IA)³), at what
 * size and with which composition; the hand-made methods of the design-space paper as named plans.
 */
package dev.peft4j.peft;
