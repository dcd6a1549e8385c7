package dev.peft4j.search;

import dev.peft4j.model.BertConfig;
import dev.peft4j.model.Pooling;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PrefixSpec;

/**
 * Exact trainable-parameter counts, computed analytically from the shapes the runtime creates
 * (d = hidden, f = intermediate, per layer):
 * <ul>
 *   <li>LoRA rank r on a linear {@code [out,in]}: r·(in + out) (A {@code [r,in]}, B {@code [out,r]});
 *       attention projections d×d, FFN-in f×d, FFN-out d×f;</li>
 *   <li>adapter of width m (serial or parallel): 2·m·d + m + d (+1 with a learned scale);</li>
 *   <li>prefix of length L: 2·L·d (P_k and P_v); reparameterised with hidden size h: per prefixed layer
 *       2·(d·h + d) (its k and v row blocks of the second linear), and once per model L·d + h·d + h (E, W₁, b₁),
 *       the layer prefixes themselves being frozen outputs of the MLP;</li>
 *   <li>a gate (UniPELT) reading an input of width w: w + 1; adapters read d, a prefix gate reads d, a gated LoRA
 *       has one gate per wrapped linear reading that linear's input (d, or f for FFN-out);</li>
 *   <li>(IA)³: 2·d + f (l_k, l_v, l_ff);</li>
 *   <li>BitFit: the selected biases of the layer's 8, all of them 7·d + f (q, k, v, attention output, FFN-out: d
 *       each; FFN-in: f; both LayerNorm β: 2·d);</li>
 *   <li>the classification head: C·d + C.</li>
 * </ul>
 */
public final class ParameterCounter {
    private ParameterCounter() {}

    /** Trainable values the plan adds to the encoder (without a task head). */
    public static long count(BertConfig cfg, PeftPlan plan) {
        if (plan.size() != cfg.layers()) {
            throw new IllegalArgumentException("the plan has " + plan.size() + " layers but the config " + cfg.layers());
        }
        long total = 0;
        for (LayerPlan lp : plan.layers()) {
            total += layer(cfg, lp);
        }
        PrefixSpec shared = plan.reparameterisedPrefix();
        if (shared != null) {
            long d = cfg.hidden();
            long h = shared.reparameterisation();
            total += shared.length() * d + h * d + h;
        }
        return total;
    }

    /** Trainable values of plan + a fresh classification head over {@code numLabels} classes. */
    public static long countWithHead(BertConfig cfg, PeftPlan plan, int numLabels) {
        return count(cfg, plan) + head(cfg, numLabels);
    }

    /** C·d + C. */
    public static long head(BertConfig cfg, int numLabels) {
        return (long) numLabels * cfg.hidden() + numLabels;
    }

    /** Trainable values one layer plan adds (a shared prefix MLP's E, W₁, b₁ are counted by {@link #count}). */
    public static long layer(BertConfig cfg, LayerPlan lp) {
        long d = cfg.hidden();
        long f = cfg.intermediate();
        long n = 0;
        if (lp.lora() != null) {
            for (LoraTarget t : lp.lora().targets()) {
                n += (long) lp.lora().rank() * switch (t) {
                    case QUERY, KEY, VALUE, ATTENTION_OUTPUT -> 2 * d;
                    case FFN_IN, FFN_OUT -> d + f;
                };
                if (lp.lora().gated()) {
                    n += (t == LoraTarget.FFN_OUT ? f : d) + 1;
                }
            }
        }
        n += adapter(d, lp.attnAdapter()) + adapter(d, lp.ffnAdapter()) + adapter(d, lp.parallelAdapter());
        if (lp.prefix() != null) {
            PrefixSpec p = lp.prefix();
            n += p.reparameterised() ? 2 * (d * p.reparameterisation() + d) : 2L * p.length() * d;
            n += p.gated() ? d + 1 : 0;
        }
        if (lp.ia3()) {
            n += 2 * d + f;
        }
        if (lp.bitfit()) {
            n += lp.bitfitSpec().count(d, f);
        }
        return n;
    }

    private static long adapter(long d, AdapterSpec a) {
        return a == null ? 0 : 2L * a.size() * d + a.size() + d + (a.learnedScale() ? 1 : 0) + (a.gated() ? d + 1 : 0);
    }

    /**
     * Values of the pretrained encoder: embeddings (word, position, type, LayerNorm) and per layer
     * 4·(d² + d) + 2·d + (f·d + f) + (d·f + d) + 2·d, and the pooler's d² + d when the pooling is POOLER; equals
     * {@link dev.peft4j.model.BertModel#baseParameterCount()}.
     */
    public static long base(BertConfig cfg) {
        long d = cfg.hidden();
        long f = cfg.intermediate();
        long emb = ((long) cfg.vocabSize() + cfg.maxPositions() + cfg.typeVocabSize()) * d + 2 * d;
        long perLayer = 4 * (d * d + d) + 2 * d + (f * d + f) + (d * f + d) + 2 * d;
        long pooler = cfg.pooling() == Pooling.POOLER ? d * d + d : 0;
        return emb + cfg.layers() * perLayer + pooler;
    }

    /** count(plan) / base(cfg): the parameter fraction that the search minimises and budgets refer to. */
    public static double fraction(BertConfig cfg, PeftPlan plan) {
        return (double) count(cfg, plan) / base(cfg);
    }
}
