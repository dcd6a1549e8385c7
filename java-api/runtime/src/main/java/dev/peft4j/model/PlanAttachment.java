package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.peft.BitFitBias;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Attaches a {@link PeftPlan}'s modules to a stack of transformer layers, with names under {@code layerPrefix}i, and
 * returns the model-level prefix MLP when the plan reparameterises its prefixes (else null).
 */
final class PlanAttachment {
    private PlanAttachment() {}

    static PrefixEncoder apply(Backend be, List<? extends TransformerLayer> layers, PeftPlan plan, String layerPrefix, long seed) {
        if (plan.size() != layers.size()) {
            throw new IllegalArgumentException("the plan has " + plan.size() + " layers but the model has " + layers.size());
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (TransformerLayer layer : layers) {
            LayerPlan lp = plan.layer(layer.index);
            String p = layerPrefix + layer.index + ".";
            int d = layer.attention.width();
            if (lp.lora() != null) {
                LoraSpec spec = lp.lora();
                for (LoraTarget t : LoraTarget.values()) {
                    if (spec.targets().contains(t)) {
                        target(layer, t).attachLora(spec, rng);
                    }
                }
            }
            if (lp.attnAdapter() != null) {
                layer.attnAdapter = new Adapter(be, p + "attention.adapter", d, lp.attnAdapter(), false, rng);
            }
            if (lp.ffnAdapter() != null) {
                layer.ffnAdapter = new Adapter(be, p + "output.adapter", d, lp.ffnAdapter(), false, rng);
            }
            if (lp.parallelAdapter() != null) {
                layer.parallelAdapter = new Adapter(be, p + "parallel_adapter", d, lp.parallelAdapter(), true, rng);
            }
            if (lp.prefix() != null) {
                layer.attention.attachPrefix(p + "attention.self", lp.prefix(), rng);
            }
            if (lp.ia3()) {
                layer.attention.attachIa3(p + "attention.self");
                int f = layer.ffnIn.out();
                layer.ia3Ffn = new Parameter(p + "intermediate.ia3_ff", be.fromHost(Init.constant(f, 1f), f));
                layer.ia3Ffn.setTrainable(be, true);
            }
            for (BitFitBias b : lp.bitfitBiases()) {
                for (Parameter q : biases(layer, b)) {
                    q.setTrainable(be, true);
                }
            }
        }
        return PrefixEncoder.attach(be, layers, plan.reparameterisedPrefix(), layerPrefix, rng);
    }

    /** The base-model bias parameters of one kind (LAYER_NORM: both LayerNorms' β). */
    static List<Parameter> biases(TransformerLayer layer, BitFitBias b) {
        return switch (b) {
            case QUERY -> List.of(layer.attention.query.bias);
            case KEY -> List.of(layer.attention.key.bias);
            case VALUE -> List.of(layer.attention.value.bias);
            case ATTENTION_OUTPUT -> List.of(layer.attention.output.bias);
            case FFN_IN -> List.of(layer.ffnIn.bias);
            case FFN_OUT -> List.of(layer.ffnOut.bias);
            case LAYER_NORM -> List.of(layer.ln1.beta, layer.ln2.beta);
        };
    }

    static Linear target(TransformerLayer layer, LoraTarget t) {
        return switch (t) {
            case QUERY -> layer.attention.query;
            case KEY -> layer.attention.key;
            case VALUE -> layer.attention.value;
            case ATTENTION_OUTPUT -> layer.attention.output;
            case FFN_IN -> layer.ffnIn;
            case FFN_OUT -> layer.ffnOut;
        };
    }
}
