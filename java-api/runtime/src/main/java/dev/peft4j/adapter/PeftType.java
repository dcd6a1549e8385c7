package dev.peft4j.adapter;

/**
 * The peft_type of an adapter_config.json: peft's LORA, IA3 and PREFIX_TUNING, and PEFT4J for plans peft cannot
 * express (bottleneck and parallel adapters, BitFit, mixed or non-uniform plans).
 */
public enum PeftType {
    LORA, IA3, PREFIX_TUNING, PEFT4J
}
