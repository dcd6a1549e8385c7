package dev.peft4j.peft;

/** The linear layers of a transformer layer that LoRA can wrap. */
public enum LoraTarget {
    QUERY, KEY, VALUE, ATTENTION_OUTPUT, FFN_IN, FFN_OUT
}
