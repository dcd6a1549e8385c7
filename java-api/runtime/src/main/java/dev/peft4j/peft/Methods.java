package dev.peft4j.peft;

import dev.peft4j.backend.Activation;
import java.util.Locale;
import java.util.Set;

/** The hand-made PEFT methods of DESIGN.md §3 as plans over {@code layers} layers of width {@code hidden}. */
public final class Methods {
    private Methods() {}

    /** The method names {@link #plan} understands. */
    public static final Set<String> NAMES = Set.of("lora", "houlsby", "pfeiffer", "parallel", "prefix", "bitfit", "ia3", "mam", "head");

    /**
     * The plan of a named method with its DESIGN.md defaults, sizes overridable: {@code size} is the LoRA rank, the
     * adapter width or the prefix length (≤ 0: the default). "head" trains the classifier head alone (an empty plan).
     */
    public static PeftPlan plan(String method, int layers, int hidden, int size) {
        String m = method.toLowerCase(Locale.ROOT);
        return switch (m) {
            case "lora" -> PeftPlan.lora(layers, size > 0
                    ? new LoraSpec(size, size, false, 0f, LoraSpec.defaults().targets()) : LoraSpec.defaults());
            case "houlsby" -> houlsby(layers, size > 0 ? size : hidden / 16);
            case "pfeiffer" -> pfeiffer(layers, size > 0 ? size : hidden / 16);
            case "parallel" -> parallel(layers, size > 0 ? size : hidden / 16, 4f);
            case "prefix" -> PeftPlan.uniform(layers, LayerPlan.NONE.withPrefix(new PrefixSpec(size > 0 ? size : 10)));
            case "bitfit" -> PeftPlan.uniform(layers, LayerPlan.NONE.withBitfit(true));
            case "ia3" -> PeftPlan.uniform(layers, LayerPlan.NONE.withIa3(true));
            case "mam" -> mam(layers, 30, size > 0 ? size : 512, 4f);
            case "head" -> PeftPlan.uniform(layers, LayerPlan.NONE);
            default -> throw new IllegalArgumentException("unknown PEFT method '" + method + "'; known: " + NAMES);
        };
    }

    /**
     * The peak learning rate a named method trains well with (AdamW, linear warm-up and decay, batch 16): 1e-3,
     * except prefix tuning 1e-2 and MAM 2e-4. Measured on IMDB with MiniLM-L6, one epoch (README.md): at 1e-3 MAM's
     * 512-wide parallel adapter with scale 4 stayed at chance (49.6 %, 83.7 % at 2e-4) and prefix tuning reached
     * 74.7 % (81.6 % at 1e-2).
     */
    public static float learningRate(String method) {
        return switch (method.toLowerCase(Locale.ROOT)) {
            case "prefix" -> 1e-2f;
            case "mam" -> 2e-4f;
            default -> 1e-3f;
        };
    }

    /**
     * The peak learning rate of a plan, following the methods it is built from (the rule of
     * {@link #learningRate(String)} applied to the modules that hold most of its trainable values): a prefix beside a
     * parallel adapter of scale &gt; 1 that holds more values than the prefix (MAM's combination) trains at MAM's
     * 2e-4; otherwise a plan whose prefixes hold more values than all its other modules together trains at the prefix
     * rate 1e-2; everything else (and a plan that adds nothing) at 1e-3. For the plan of every named method this is
     * that method's rate. Values are counted with hidden width {@code hidden} and FFN width {@code intermediate}.
     */
    public static float learningRate(PeftPlan plan, int hidden, int intermediate) {
        long d = hidden;
        long f = intermediate;
        long prefix = 0;
        long scaledParallel = 0;
        long other = 0;
        for (LayerPlan lp : plan.layers()) {
            if (lp.prefix() != null) {
                PrefixSpec p = lp.prefix();
                prefix += p.reparameterised() ? 2 * (d * p.reparameterisation() + d) : 2L * p.length() * d;
            }
            AdapterSpec par = lp.parallelAdapter();
            if (par != null) {
                long n = 2L * par.size() * d + par.size() + d;
                if (par.scale() > 1) {
                    scaledParallel += n;
                } else {
                    other += n;
                }
            }
            for (AdapterSpec a : new AdapterSpec[] {lp.attnAdapter(), lp.ffnAdapter()}) {
                other += a == null ? 0 : 2L * a.size() * d + a.size() + d;
            }
            if (lp.lora() != null) {
                for (LoraTarget t : lp.lora().targets()) {
                    other += (long) lp.lora().rank() * (t == LoraTarget.FFN_IN || t == LoraTarget.FFN_OUT ? d + f : 2 * d);
                }
            }
            other += (lp.ia3() ? 2 * d + f : 0) + (lp.bitfit() ? lp.bitfitSpec().count(d, f) : 0);
        }
        if (prefix > 0 && scaledParallel > prefix) {
            return learningRate("mam");
        }
        if (prefix > scaledParallel + other) {
            return learningRate("prefix");
        }
        return learningRate("lora");
    }

    /** Houlsby: serial adapters after the attention output and after the FFN output, swish. */
    public static PeftPlan houlsby(int layers, int size) {
        AdapterSpec a = new AdapterSpec(size, Activation.SWISH, 1f, false);
        return PeftPlan.uniform(layers, LayerPlan.NONE.withAttnAdapter(a).withFfnAdapter(a));
    }

    /** Pfeiffer: one serial adapter after the FFN output, ReLU. */
    public static PeftPlan pfeiffer(int layers, int size) {
        return PeftPlan.uniform(layers, LayerPlan.NONE.withFfnAdapter(new AdapterSpec(size, Activation.RELU, 1f, false)));
    }

    /** A (scaled) parallel adapter on the FFN, ReLU. */
    public static PeftPlan parallel(int layers, int size, float scale) {
        return PeftPlan.uniform(layers, LayerPlan.NONE.withParallelAdapter(new AdapterSpec(size, Activation.RELU, scale, false)));
    }

    /** MAM: prefix of length L in attention plus a scaled parallel adapter of width m on the FFN. */
    public static PeftPlan mam(int layers, int prefixLength, int size, float scale) {
        return PeftPlan.uniform(layers, LayerPlan.NONE.withPrefix(new PrefixSpec(prefixLength))
                .withParallelAdapter(new AdapterSpec(size, Activation.RELU, scale, false)));
    }
}
