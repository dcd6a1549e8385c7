package dev.peft4j.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Merge and unmerge of LoRA: every linear layer carrying LoRA gets W ← W + s·B A (float64 accumulation on the host,
 * one rounding per element) and then runs as a plain linear layer; unmerge subtracts the same product. A merged
 * model gives the LoRA model's forward without the low-rank path; it cannot be trained until it is unmerged.
 */
public final class LoraMerge {
    private LoraMerge() {}

    /** Merges every LoRA of the model; returns how many linear layers were merged. */
    public static int merge(TransformerModel model) {
        return apply(loraLinears(TransformerLayer.of(model)), true);
    }

    /** Unmerges every LoRA of the model; returns how many linear layers were unmerged. */
    public static int unmerge(TransformerModel model) {
        return apply(loraLinears(TransformerLayer.of(model)), false);
    }

    /** Whether any LoRA of the model is merged. */
    public static boolean isMerged(TransformerModel model) {
        return loraLinears(TransformerLayer.of(model)).stream().anyMatch(Linear::loraMerged);
    }

    private static int apply(List<Linear> linears, boolean merge) {
        if (linears.isEmpty()) {
            throw new IllegalStateException("the model carries no LoRA to " + (merge ? "merge" : "unmerge"));
        }
        for (Linear l : linears) {
            if (merge) {
                l.mergeLora();
            } else {
                l.unmergeLora();
            }
        }
        return linears.size();
    }

    private static List<Linear> loraLinears(List<? extends TransformerLayer> layers) {
        List<Linear> out = new ArrayList<>();
        for (TransformerLayer t : layers) {
            for (Linear l : t.linears()) {
                if (l.hasLora()) {
                    out.add(l);
                }
            }
        }
        return out;
    }
}
