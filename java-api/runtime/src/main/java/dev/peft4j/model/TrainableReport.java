package dev.peft4j.model;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trainable values per kind of module and in total, each also as a fraction of the base (pretrained) model's
 * values: fraction = count / baseParameters. The kind of a parameter comes from its name, as the runtime names
 * them (see {@link Kind#of}); frozen parameters are not counted.
 *
 * @param rows           one row per kind that has trainable values, in {@link Kind} order
 * @param total          all trainable values (the sum of the rows)
 * @param baseParameters the base model's values, the denominator of every fraction
 */
public record TrainableReport(List<Row> rows, long total, long baseParameters) {
    public TrainableReport {
        rows = List.copyOf(rows);
    }

    /** Kinds of trainable module; {@link #label()} is the name a report prints. */
    public enum Kind {
        LORA, ADAPTER, PARALLEL_ADAPTER, PREFIX, IA3, BITFIT, GATE, PREFIX_ENCODER, HEAD, OTHER;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The kind of a parameter by its name: "classifier.*" head; "prefix_encoder.*" and a layer's
         * "prefix_k_proj"/"prefix_v_proj" rows the prefix MLP; "lora_gate", "prefix_gate" and an adapter's ".gate."
         * gates; "lora_A"/"lora_B" LoRA; "parallel_adapter." and ".adapter." adapters; "prefix_k"/"prefix_v" prefixes;
         * "ia3_k"/"ia3_v"/"ia3_ff" (IA)³; any other ".bias" a BitFit bias; anything else OTHER (e.g. an unfrozen
         * base weight).
         */
        public static Kind of(String name) {
            if (name.startsWith("classifier.")) {
                return HEAD;
            }
            if (name.startsWith("prefix_encoder.") || name.contains(".prefix_k_proj.") || name.contains(".prefix_v_proj.")) {
                return PREFIX_ENCODER;
            }
            if (name.contains(".lora_gate.") || name.contains(".prefix_gate.") || name.contains(".gate.")) {
                return GATE;
            }
            if (name.contains(".lora_A.") || name.contains(".lora_B.")) {
                return LORA;
            }
            if (name.contains("parallel_adapter.")) {
                return PARALLEL_ADAPTER;
            }
            if (name.contains(".adapter.")) {
                return ADAPTER;
            }
            if (name.endsWith(".prefix_k") || name.endsWith(".prefix_v")) {
                return PREFIX;
            }
            if (name.endsWith(".ia3_k") || name.endsWith(".ia3_v") || name.endsWith(".ia3_ff")) {
                return IA3;
            }
            return name.endsWith(".bias") ? BITFIT : OTHER;
        }
    }

    /** One kind: its trainable tensors and values, and values / base values. */
    public record Row(Kind kind, int tensors, long count, double fraction) {}

    /** The report over the trainable members of {@code parameters}; baseParameters must be positive. */
    public static TrainableReport of(List<Parameter> parameters, long baseParameters) {
        if (baseParameters <= 0) {
            throw new IllegalArgumentException("baseParameters must be positive, got " + baseParameters);
        }
        Map<Kind, long[]> sums = new EnumMap<>(Kind.class);
        long total = 0;
        for (Parameter p : parameters) {
            if (p.trainable()) {
                long[] s = sums.computeIfAbsent(Kind.of(p.name()), k -> new long[2]);
                s[0]++;
                s[1] += p.numel();
                total += p.numel();
            }
        }
        List<Row> rows = new ArrayList<>();
        sums.forEach((k, s) -> rows.add(new Row(k, (int) s[0], s[1], (double) s[1] / baseParameters)));
        return new TrainableReport(rows, total, baseParameters);
    }

    /** Trainable values of one kind (0 when absent). */
    public long count(Kind kind) {
        return rows.stream().filter(r -> r.kind() == kind).mapToLong(Row::count).sum();
    }

    /** total / baseParameters. */
    public double fraction() {
        return (double) total / baseParameters;
    }

    /** A plain-text table: kind, tensors, values, percent of the base model; then the total. */
    public String format() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-17s %7s %12s %10s%n", "module", "tensors",
                "parameters", "% of base"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-17s %7d %12d %9.4f%%%n", r.kind().label(), r.tensors(), r.count(),
                    100 * r.fraction()));
        }
        sb.append(String.format(Locale.ROOT, "%-17s %7d %12d %9.4f%%%n", "total",
                rows.stream().mapToInt(Row::tensors).sum(), total, 100 * fraction()));
        sb.append(String.format(Locale.ROOT, "(base model: %d parameters)%n", baseParameters));
        return sb.toString();
    }
}
