/**
 * The transformer runtime: BERT and GPT-2 encoders and decoders with an explicit forward and backward per layer (no
 * autograd), their PEFT modules (LoRA, adapters, prefixes, (IA)³, BitFit, gates) attached by a {@link
 * dev.peft4j.peft.PeftPlan}, and the task heads (sequence and token classification, mixed-adapter serving).
 */
package dev.peft4j.model;
