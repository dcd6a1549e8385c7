package dev.peft4j.model;

/**
 * Inference-only models: every frozen weight that a forward reads as a plain matrix product (the linear layers
 * without LoRA, and those whose LoRA is merged) is declared unchanging to the backend ({@code Backend.prepare}),
 * which then packs it once instead of on every forward (the CPU backend keeps a packed copy, about the weight's own
 * size). A layer drops its prepared weight when its mode changes (merging, unmerging or attaching LoRA), when its
 * weight becomes trainable, and when the model is closed; {@link #release} drops them all. Writing a prepared
 * weight in any other way (loading weights into the model) while prepared would go unseen: prepare after loading.
 */
public final class FrozenWeights {
    private FrozenWeights() {}

    /** Prepares every frozen plain or merged linear weight of the model; returns how many are prepared now. */
    public static int prepare(TransformerModel model) {
        return (int) linears(model).filter(Linear::prepareFrozenWeight).count();
    }

    /** Drops every prepared weight of the model (the weights may change again). */
    public static void release(TransformerModel model) {
        linears(model).forEach(Linear::releasePreparedWeight);
    }

    private static java.util.stream.Stream<Linear> linears(TransformerModel model) {
        return TransformerLayer.of(model).stream().flatMap(layer -> layer.linears().stream());
    }
}
