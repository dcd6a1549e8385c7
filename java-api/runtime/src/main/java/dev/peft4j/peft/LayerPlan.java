package dev.peft4j.peft;

import java.util.Set;

/**
 * The PEFT methods of one transformer layer; each component is null when absent.
 *
 * @param lora            LoRA on the listed linear layers
 * @param attnAdapter     serial adapter after the attention output projection (Houlsby's first)
 * @param ffnAdapter      serial adapter after the FFN output (Houlsby's second; Pfeiffer's only)
 * @param parallelAdapter adapter reading the FFN input, added to the FFN output
 * @param prefix          prefix keys/values in self-attention
 * @param ia3             (IA)³ scaling of keys, values and the FFN hidden activation
 * @param bitfitSpec      BitFit: which of this layer's biases to train ({@link BitFitSpec#ALL}: every one, LayerNorm β
 *                        included)
 */
public record LayerPlan(LoraSpec lora, AdapterSpec attnAdapter, AdapterSpec ffnAdapter, AdapterSpec parallelAdapter,
                        PrefixSpec prefix, boolean ia3, BitFitSpec bitfitSpec) {
    public static final LayerPlan NONE = new LayerPlan(null, null, null, null, null, false, (BitFitSpec) null);

    /** The boolean form: {@code bitfit} = train all biases ({@link BitFitSpec#ALL}), else none. */
    public LayerPlan(LoraSpec lora, AdapterSpec attnAdapter, AdapterSpec ffnAdapter, AdapterSpec parallelAdapter,
                     PrefixSpec prefix, boolean ia3, boolean bitfit) {
        this(lora, attnAdapter, ffnAdapter, parallelAdapter, prefix, ia3, bitfit ? BitFitSpec.ALL : null);
    }

    /** True when any bias of this layer is trained. */
    public boolean bitfit() {
        return bitfitSpec != null;
    }

    /** The bias kinds BitFit trains here (empty without BitFit). */
    public Set<BitFitBias> bitfitBiases() {
        return bitfitSpec == null ? Set.of() : bitfitSpec.biases();
    }

    public LayerPlan withLora(LoraSpec s) {
        return new LayerPlan(s, attnAdapter, ffnAdapter, parallelAdapter, prefix, ia3, bitfitSpec);
    }

    public LayerPlan withAttnAdapter(AdapterSpec s) {
        return new LayerPlan(lora, s, ffnAdapter, parallelAdapter, prefix, ia3, bitfitSpec);
    }

    public LayerPlan withFfnAdapter(AdapterSpec s) {
        return new LayerPlan(lora, attnAdapter, s, parallelAdapter, prefix, ia3, bitfitSpec);
    }

    public LayerPlan withParallelAdapter(AdapterSpec s) {
        return new LayerPlan(lora, attnAdapter, ffnAdapter, s, prefix, ia3, bitfitSpec);
    }

    public LayerPlan withPrefix(PrefixSpec s) {
        return new LayerPlan(lora, attnAdapter, ffnAdapter, parallelAdapter, s, ia3, bitfitSpec);
    }

    public LayerPlan withIa3(boolean on) {
        return new LayerPlan(lora, attnAdapter, ffnAdapter, parallelAdapter, prefix, on, bitfitSpec);
    }

    /** All biases (on) or none. */
    public LayerPlan withBitfit(boolean on) {
        return withBitfit(on ? BitFitSpec.ALL : null);
    }

    /** The given bias selection, or none when null. */
    public LayerPlan withBitfit(BitFitSpec s) {
        return new LayerPlan(lora, attnAdapter, ffnAdapter, parallelAdapter, prefix, ia3, s);
    }

    /** True when any of this layer's modules carries a gate. */
    public boolean gated() {
        return (lora != null && lora.gated()) || gatedAdapter(attnAdapter) || gatedAdapter(ffnAdapter)
                || gatedAdapter(parallelAdapter) || (prefix != null && prefix.gated());
    }

    private static boolean gatedAdapter(AdapterSpec a) {
        return a != null && a.gated();
    }
}
