package dev.peft4j.search;

import java.util.ArrayList;
import java.util.List;

/**
 * One point of the S4 design space: the layer grouping, the parameter allocation across layers, which of the
 * 4 groups are tuned (bit j of {@code tunedMask} = group G(j+1)), and each group's strategy set.
 */
public record S4Config(Grouping grouping, Allocation allocation, int tunedMask, List<StrategySet> strategies) {
    public S4Config {
        if (grouping == null || allocation == null) {
            throw new IllegalArgumentException("a configuration needs a grouping and an allocation");
        }
        if (tunedMask < 1 || tunedMask > 15) {
            throw new IllegalArgumentException("tunedMask must name at least one of 4 groups (1..15), got " + tunedMask);
        }
        if (strategies == null || strategies.size() != Grouping.GROUPS || strategies.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("need a strategy set for each of the 4 groups, got " + strategies);
        }
        strategies = List.copyOf(strategies);
    }

    /**
     * The pattern the design-spaces paper found (Chen et al., S4): spindle grouping, uniform allocation, all four
     * groups tuned, G1 {Adapter, LoRA}, G2 {Adapter, Prefix}, G3 {Adapter, Prefix, BitFit}, G4 {Prefix, BitFit,
     * LoRA}: a reference plan to compare a search's result with.
     */
    public static S4Config paperPattern() {
        return new S4Config(Grouping.SPINDLE, Allocation.UNIFORM, 0b1111, List.of(
                StrategySet.of(Strategy.ADAPTER, Strategy.LORA),
                StrategySet.of(Strategy.ADAPTER, Strategy.PREFIX),
                StrategySet.of(Strategy.ADAPTER, Strategy.PREFIX, Strategy.BITFIT),
                StrategySet.of(Strategy.PREFIX, Strategy.BITFIT, Strategy.LORA)));
    }

    public boolean tuned(int group) {
        return (tunedMask & (1 << group)) != 0;
    }

    public S4Config withStrategy(int group, StrategySet s) {
        List<StrategySet> l = new ArrayList<>(strategies);
        l.set(group, s);
        return new S4Config(grouping, allocation, tunedMask, l);
    }

    /** "G1+G3" for mask 0b0101. */
    public static String maskLabel(int mask) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < Grouping.GROUPS; j++) {
            if ((mask & (1 << j)) != 0) {
                sb.append(sb.isEmpty() ? "" : "+").append('G').append(j + 1);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(grouping + ", " + allocation + ",");
        for (int j = 0; j < Grouping.GROUPS; j++) {
            sb.append(" G").append(j + 1).append(tuned(j) ? strategies.get(j).toString() : "-");
        }
        return sb.toString();
    }
}
