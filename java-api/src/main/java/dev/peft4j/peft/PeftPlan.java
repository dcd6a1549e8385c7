package dev.peft4j.peft;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A per-layer PEFT configuration (DESIGN.md §3): for every transformer layer, which methods at what size.
 * LoRA-only, MAM, S4 and AutoPEFT plans are all instances of this one type.
 */
public record PeftPlan(List<LayerPlan> layers) {
    public PeftPlan {
        if (layers == null || layers.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one layer");
        }
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) == null) {
                throw new IllegalArgumentException("plan layer " + i + " is null");
            }
        }
        layers = List.copyOf(layers);
    }

    /** The same layer plan on every one of {@code n} layers. */
    public static PeftPlan uniform(int n, LayerPlan layer) {
        return new PeftPlan(Collections.nCopies(n, layer));
    }

    /** LoRA with the given spec on every layer. */
    public static PeftPlan lora(int n, LoraSpec spec) {
        return uniform(n, LayerPlan.NONE.withLora(spec));
    }

    public int size() {
        return layers.size();
    }

    public LayerPlan layer(int i) {
        return layers.get(i);
    }

    /** A copy with {@code f} applied to every layer. */
    public PeftPlan map(UnaryOperator<LayerPlan> f) {
        List<LayerPlan> out = new ArrayList<>(layers.size());
        layers.forEach(l -> out.add(f.apply(l)));
        return new PeftPlan(out);
    }
}
