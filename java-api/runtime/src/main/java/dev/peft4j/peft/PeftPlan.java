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
        checkReparameterisation(layers);
    }

    /**
     * One prefix MLP serves every prefixed layer (E {@code [L,d]} feeds all of them), so when any layer's prefix is
     * reparameterised, every prefixed layer must be, with the same length L and hidden size h.
     */
    private static void checkReparameterisation(List<LayerPlan> layers) {
        PrefixSpec first = null;
        int firstAt = -1;
        boolean any = false;
        for (int i = 0; i < layers.size(); i++) {
            PrefixSpec p = layers.get(i).prefix();
            if (p != null) {
                any |= p.reparameterised();
                if (first == null) {
                    first = p;
                    firstAt = i;
                }
            }
        }
        if (!any) {
            return;
        }
        for (int i = 0; i < layers.size(); i++) {
            PrefixSpec p = layers.get(i).prefix();
            if (p != null && (p.length() != first.length() || p.reparameterisation() != first.reparameterisation())) {
                throw new IllegalArgumentException("a plan with a reparameterised prefix shares one prefix MLP over all "
                        + "prefixed layers, so they need the same length and MLP hidden size: layer " + firstAt
                        + " has length " + first.length() + ", hidden " + first.reparameterisation() + " but layer " + i
                        + " has length " + p.length() + ", hidden " + p.reparameterisation());
            }
        }
    }

    /** The prefix spec the plan's reparameterised layers share, or null when no prefix is reparameterised. */
    public PrefixSpec reparameterisedPrefix() {
        for (LayerPlan l : layers) {
            if (l.prefix() != null && l.prefix().reparameterised()) {
                return l.prefix();
            }
        }
        return null;
    }

    /**
     * The prefix length every layer shares, as transformers runs a prefix (one length L on all layers); empty when a
     * layer has no prefix or the lengths differ.
     */
    public java.util.OptionalInt uniformPrefixLength() {
        int length = layers.get(0).prefix() == null ? 0 : layers.get(0).prefix().length();
        for (LayerPlan l : layers) {
            if (l.prefix() == null || l.prefix().length() != length) {
                return java.util.OptionalInt.empty();
            }
        }
        return java.util.OptionalInt.of(length);
    }

    /** True when some module of the plan carries a gate. */
    public boolean anyGate() {
        for (LayerPlan l : layers) {
            if (l.gated()) {
                return true;
            }
        }
        return false;
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
