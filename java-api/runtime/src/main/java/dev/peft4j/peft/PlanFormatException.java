package dev.peft4j.peft;

/**
 * A plan document that {@link PlanCodec} cannot read: not JSON, another format, a newer version, or a field of the
 * wrong kind or out of range. The message names the source (file) and the field path, e.g.
 * {@code plan.json: field layers[2].lora.rank: LoRA rank must be ≥ 1, got 0}.
 */
public final class PlanFormatException extends IllegalArgumentException {
    public PlanFormatException(String message) {
        super(message);
    }
}
