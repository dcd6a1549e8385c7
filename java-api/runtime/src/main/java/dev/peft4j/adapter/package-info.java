/**
 * Adapter files in Hugging Face peft's format ({@code adapter_config.json} + {@code adapter_model.safetensors}),
 * with documented extra keys for the methods peft lacks (see java-api/ADAPTER-FORMAT.md); Hugging Face checkpoints;
 * LoRA merge and unmerge.
 */
package dev.peft4j.adapter;
