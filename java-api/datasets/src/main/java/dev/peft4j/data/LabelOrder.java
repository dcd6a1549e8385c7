package dev.peft4j.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** How string labels read from a file are numbered. */
public enum LabelOrder {
    /**
     * Sorted, so that two files with the same label set (a train and a test file) number them alike
     * whatever their row order: numerically when every label is an integer ("2" before "10"), otherwise by
     * {@link String#compareTo} (UTF-16 code units, case-sensitive). The default.
     */
    SORTED,
    /** In the order each label first appears in the file. */
    FIRST_SEEN;

    /** The label names, index = id, given the distinct labels in first-seen order. */
    List<String> order(Collection<String> firstSeen) {
        List<String> names = new ArrayList<>(firstSeen);
        if (this == SORTED) {
            boolean numeric = names.stream().allMatch(s -> s.strip().matches("[+-]?\\d{1,18}"));
            names.sort(numeric
                    ? Comparator.comparingLong((String s) -> Long.parseLong(s.strip().replace("+", ""))).thenComparing(s -> s)
                    : Comparator.naturalOrder());
        }
        return names;
    }
}
