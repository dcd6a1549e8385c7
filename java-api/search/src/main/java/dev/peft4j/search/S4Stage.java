package dev.peft4j.search;

/** The components S4 decides, in order: grouping, allocation, tuned groups, then each group's strategy set. */
public enum S4Stage {
    GROUPING, ALLOCATION, TUNED_GROUPS, STRATEGY_G1, STRATEGY_G2, STRATEGY_G3, STRATEGY_G4;

    /** The group a strategy stage decides (0..3), or −1. */
    public int group() {
        return ordinal() >= STRATEGY_G1.ordinal() ? ordinal() - STRATEGY_G1.ordinal() : -1;
    }

    /** The configuration with this stage's component replaced by {@code choice}. */
    public S4Config set(S4Config c, Object choice) {
        return switch (this) {
            case GROUPING -> new S4Config((Grouping) choice, c.allocation(), c.tunedMask(), c.strategies());
            case ALLOCATION -> new S4Config(c.grouping(), (Allocation) choice, c.tunedMask(), c.strategies());
            case TUNED_GROUPS -> new S4Config(c.grouping(), c.allocation(), (Integer) choice, c.strategies());
            default -> c.withStrategy(group(), (StrategySet) choice);
        };
    }

    /** How a choice of this stage is shown. */
    public String label(Object choice) {
        return this == TUNED_GROUPS ? S4Config.maskLabel((Integer) choice) : choice.toString();
    }
}
