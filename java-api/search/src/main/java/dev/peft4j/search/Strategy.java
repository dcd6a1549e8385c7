package dev.peft4j.search;

import dev.peft4j.backend.Activation;
import dev.peft4j.model.BertConfig;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PrefixSpec;
import java.util.EnumSet;

/**
 * The PEFT strategies a design-space group can use (S4's {Adapter, Prefix, BitFit, LoRA}, plus (IA)³ and the
 * parallel adapter as extensions), with the shape each takes at size k and its exact cost
 * (cost = fixed + k·perUnit, see {@link ParameterCounter}):
 * <ul>
 *   <li>ADAPTER: serial adapter of width k after the FFN output (Pfeiffer placement), ReLU, scale 1: 2kd + k + d;</li>
 *   <li>PREFIX: prefix of length k: 2kd;</li>
 *   <li>BITFIT: all the layer's biases: 7d + f (no size);</li>
 *   <li>LORA: rank k on query and value, α = k (scale 1): 4kd;</li>
 *   <li>IA3: (IA)³ vectors: 2d + f (no size);</li>
 *   <li>PARALLEL_ADAPTER: parallel adapter of width k on the FFN, ReLU, scale 1: 2kd + k + d.</li>
 * </ul>
 */
public enum Strategy {
    ADAPTER("A"), PREFIX("P"), BITFIT("B"), LORA("L"), IA3("I"), PARALLEL_ADAPTER("R");

    /** The paper's four strategies. */
    public static final EnumSet<Strategy> S4_BASIC = EnumSet.of(ADAPTER, PREFIX, BITFIT, LORA);

    private final String letter;

    Strategy(String letter) {
        this.letter = letter;
    }

    /** One letter for reports: A, P, B, L, I, R. */
    public String letter() {
        return letter;
    }

    /** Whether the strategy has a size (width, length, rank) that the budget sets. */
    public boolean sized() {
        return this != BITFIT && this != IA3;
    }

    /** Parameters each unit of size adds. */
    public long perUnit(BertConfig cfg) {
        long d = cfg.hidden();
        return switch (this) {
            case ADAPTER, PARALLEL_ADAPTER -> 2 * d + 1;
            case PREFIX -> 2 * d;
            case LORA -> 4 * d;
            case BITFIT, IA3 -> 0;
        };
    }

    /** Parameters the strategy costs regardless of its size. */
    public long fixed(BertConfig cfg) {
        long d = cfg.hidden();
        long f = cfg.intermediate();
        return switch (this) {
            case ADAPTER, PARALLEL_ADAPTER -> d;
            case PREFIX, LORA -> 0;
            case BITFIT -> 7 * d + f;
            case IA3 -> 2 * d + f;
        };
    }

    /** The layer plan with this strategy added at size k (ignored when not {@link #sized()}). */
    public LayerPlan apply(LayerPlan lp, int k) {
        return switch (this) {
            case ADAPTER -> lp.withFfnAdapter(new AdapterSpec(k, Activation.RELU, 1f, false));
            case PARALLEL_ADAPTER -> lp.withParallelAdapter(new AdapterSpec(k, Activation.RELU, 1f, false));
            case PREFIX -> lp.withPrefix(new PrefixSpec(k));
            case LORA -> lp.withLora(new LoraSpec(k, k, false, 0f, EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE)));
            case BITFIT -> lp.withBitfit(true);
            case IA3 -> lp.withIa3(true);
        };
    }

    public static Strategy ofLetter(String letter) {
        for (Strategy s : values()) {
            if (s.letter.equals(letter)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown strategy letter '" + letter + "'; known: A, P, B, L, I, R");
    }
}
