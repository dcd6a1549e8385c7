package dev.peft4j.search;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The strategies one group uses, e.g. {A,L}; shown by letters in {@link Strategy} order. */
public record StrategySet(Set<Strategy> members) {
    public StrategySet {
        if (members == null || members.isEmpty()) {
            throw new IllegalArgumentException("a strategy set needs at least one strategy");
        }
        members = Set.copyOf(members);
    }

    public static StrategySet of(Strategy... s) {
        return new StrategySet(EnumSet.copyOf(List.of(s)));
    }

    /** Parses "{A,L}" or "A,L" or "AL". */
    public static StrategySet parse(String text) {
        String t = text.replace("{", "").replace("}", "").replace(",", "").replace("+", "").trim();
        EnumSet<Strategy> s = EnumSet.noneOf(Strategy.class);
        for (char c : t.toCharArray()) {
            s.add(Strategy.ofLetter(String.valueOf(c)));
        }
        return new StrategySet(s);
    }

    /** Every non-empty subset of {@code base}, smallest first, in a fixed order. */
    public static List<StrategySet> allSubsets(Set<Strategy> base) {
        List<Strategy> b = new ArrayList<>(EnumSet.copyOf(base));
        List<StrategySet> out = new ArrayList<>();
        for (int size = 1; size <= b.size(); size++) {
            for (int mask = 1; mask < (1 << b.size()); mask++) {
                if (Integer.bitCount(mask) == size) {
                    EnumSet<Strategy> s = EnumSet.noneOf(Strategy.class);
                    for (int i = 0; i < b.size(); i++) {
                        if ((mask & (1 << i)) != 0) {
                            s.add(b.get(i));
                        }
                    }
                    out.add(new StrategySet(s));
                }
            }
        }
        return out;
    }

    public boolean contains(Strategy s) {
        return members.contains(s);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (Strategy s : EnumSet.copyOf(members)) {
            sb.append(sb.length() > 1 ? "," : "").append(s.letter());
        }
        return sb.append('}').toString();
    }
}
