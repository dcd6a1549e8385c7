/**
 * The transformer runtime: BERT and GPT-2 encoders and decoders with an explicit forward and backward per layer (no
 * autograd), their PEFT modules (LoRA, adapters, prefixes, (IA)³, BitFit, gates) attached by a {@link
 * dev.peft4j.peft.PeftPlan}, the task heads (sequence and token classification, mixed-adapter serving), and the
 * contrastive objective for embedding fine-tuning ({@link dev.peft4j.model.ContrastiveObjective}).
 */
package dev.peft4j.model;
