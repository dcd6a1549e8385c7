package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.TrainableReport.Kind;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.BitFitBias;
import dev.peft4j.peft.BitFitSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PrefixSpec;
import dev.peft4j.model.*;
import java.util.EnumSet;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class TrainableReportTest {
    static final BertConfig CFG = new BertConfig(11, 8, 3, 2, 12, 6, 2, 1e-5f, Activation.GELU, 0f, Pooling.CLS);

    /** Every method, every module gated, over three layers; prefixes of length 2 (MLP hidden size h when h > 0). */
    static PeftPlan everything(int h) {
        LayerPlan l0 = LayerPlan.NONE
                .withLora(new LoraSpec(2, 4f, false, 0f, EnumSet.allOf(LoraTarget.class), true))
                .withAttnAdapter(new AdapterSpec(3, Activation.SWISH, 1f, true, true))
                .withPrefix(new PrefixSpec(2, h, true))
                .withIa3(true);
        LayerPlan l1 = LayerPlan.NONE
                .withLora(new LoraSpec(3, 6f, true, 0f, EnumSet.of(LoraTarget.QUERY, LoraTarget.FFN_OUT), true))
                .withFfnAdapter(new AdapterSpec(2, Activation.TANH, 1f, false, true))
                .withParallelAdapter(new AdapterSpec(4, Activation.GELU, 2f, true, true))
                .withBitfit(BitFitSpec.QUERY_FFN_IN);
        LayerPlan l2 = LayerPlan.NONE.withPrefix(new PrefixSpec(2, h, false)).withBitfit(true)
                .withParallelAdapter(new AdapterSpec(2, Activation.RELU, 4f, false));
        return new PeftPlan(List.of(l0, l1, l2));
    }

    /** The plan with each layer mapped, for the analytic counts of one method at a time. */
    static PeftPlan only(PeftPlan plan, UnaryOperator<LayerPlan> keep) {
        return new PeftPlan(plan.layers().stream().map(keep).toList());
    }

    static AdapterSpec ungated(AdapterSpec a) {
        return a == null ? null : new AdapterSpec(a.size(), a.activation(), a.scale(), a.learnedScale(), false);
    }

    static PeftPlan ungated(PeftPlan plan) {
        return only(plan, l -> new LayerPlan(l.lora() == null ? null : l.lora().withGate(false), ungated(l.attnAdapter()),
                ungated(l.ffnAdapter()), ungated(l.parallelAdapter()),
                l.prefix() == null ? null : new PrefixSpec(l.prefix().length(), l.prefix().reparameterisation(), false),
                l.ia3(), l.bitfitSpec()));
    }

    @Test
    void everyMethodIsReportedUnderItsKindAndMatchesTheAnalyticCounts() {
        for (int h : new int[] {0, 5}) {
            PeftPlan plan = everything(h);
            PeftPlan plain = ungated(plan);
            try (Backend be = Backends.create("reference");
                 SequenceClassifier model = new SequenceClassifier(BertModel.random(be, CFG, 3), 4, 1)) {
                model.encoder().applyPlan(plan, 2);
                long base = model.encoder().baseParameterCount();
                TrainableReport r = TrainableReport.of(model.parameters(), base);

                assertEquals(ParameterCounter.countWithHead(CFG, plan, 4), r.total(), "total");
                assertEquals(r.total(), r.rows().stream().mapToLong(TrainableReport.Row::count).sum(), "rows sum to the total");
                assertEquals(model.trainableParameters().size(), r.rows().stream().mapToInt(TrainableReport.Row::tensors).sum());
                assertEquals(ParameterCounter.base(CFG), r.baseParameters());
                for (TrainableReport.Row row : r.rows()) {
                    assertEquals((double) row.count() / base, row.fraction(), 0.0, row.kind().label());
                    assertTrue(row.count() > 0, row.kind().label());
                }

                assertEquals(ParameterCounter.head(CFG, 4), r.count(Kind.HEAD));
                assertEquals(count(only(plain, l -> LayerPlan.NONE.withLora(l.lora()))), r.count(Kind.LORA));
                assertEquals(count(only(plain, l -> LayerPlan.NONE.withAttnAdapter(l.attnAdapter()).withFfnAdapter(l.ffnAdapter()))),
                        r.count(Kind.ADAPTER));
                assertEquals(count(only(plain, l -> LayerPlan.NONE.withParallelAdapter(l.parallelAdapter()))),
                        r.count(Kind.PARALLEL_ADAPTER));
                assertEquals(count(only(plain, l -> LayerPlan.NONE.withIa3(l.ia3()))), r.count(Kind.IA3));
                assertEquals(count(only(plain, l -> LayerPlan.NONE.withBitfit(l.bitfitSpec()))), r.count(Kind.BITFIT));
                assertEquals(count(plan) - count(plain), r.count(Kind.GATE), "gates");
                long prefix = count(only(plain, l -> LayerPlan.NONE.withPrefix(l.prefix())));
                // Reparameterised: the layer prefixes are frozen MLP outputs, the MLP is what trains.
                assertEquals(h == 0 ? prefix : 0, r.count(Kind.PREFIX), "prefix, h = " + h);
                assertEquals(h == 0 ? 0 : prefix, r.count(Kind.PREFIX_ENCODER), "prefix encoder, h = " + h);
                assertEquals(0, r.count(Kind.OTHER));
                // BitFit numbers by hand: d = 8, f = 12; layer 1 query + FFN-in = 8 + 12, layer 2 all = 7·8 + 12.
                assertEquals(20 + 68, r.count(Kind.BITFIT));
                assertEquals((double) r.total() / base, r.fraction(), 0.0);
                String table = r.format();
                for (TrainableReport.Row row : r.rows()) {
                    assertTrue(table.contains(row.kind().label()), table);
                }
                assertTrue(table.contains("total") && table.contains(Long.toString(r.total())), table);
            }
        }
    }

    private static long count(PeftPlan plan) {
        return ParameterCounter.count(CFG, plan);
    }

    @Test
    void namesMapToKinds() {
        assertEquals(Kind.LORA, Kind.of("h.0.attn.query.lora_A.weight"));
        assertEquals(Kind.GATE, Kind.of("h.0.attn.query.lora_gate.bias"));
        assertEquals(Kind.GATE, Kind.of("encoder.layer.0.attention.adapter.gate.weight"));
        assertEquals(Kind.GATE, Kind.of("encoder.layer.0.attention.self.prefix_gate.weight"));
        assertEquals(Kind.ADAPTER, Kind.of("encoder.layer.0.output.adapter.up.bias"));
        assertEquals(Kind.PARALLEL_ADAPTER, Kind.of("encoder.layer.0.parallel_adapter.scale"));
        assertEquals(Kind.PREFIX_ENCODER, Kind.of("encoder.layer.0.attention.self.prefix_k_proj.bias"));
        assertEquals(Kind.PREFIX, Kind.of("encoder.layer.0.attention.self.prefix_v"));
        assertEquals(Kind.IA3, Kind.of("h.1.intermediate.ia3_ff"));
        assertEquals(Kind.BITFIT, Kind.of("h.1.ln_2.bias"));
        assertEquals(Kind.HEAD, Kind.of("classifier.bias"));
        assertEquals(Kind.OTHER, Kind.of("embeddings.word_embeddings.weight"));
    }

    @Test
    void aFrozenModelReportsNothingAndTheBaseMustBePositive() {
        try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, CFG, 1)) {
            TrainableReport r = TrainableReport.of(m.parameters(), m.baseParameterCount());
            assertEquals(0, r.total());
            assertTrue(r.rows().isEmpty());
            m.applyPlan(PeftPlan.uniform(3, LayerPlan.NONE.withBitfit(BitFitSpec.of(BitFitBias.LAYER_NORM))), 1);
            assertEquals(3 * 2 * 8, TrainableReport.of(m.parameters(), m.baseParameterCount()).count(Kind.BITFIT));
            assertThrows(IllegalArgumentException.class, () -> TrainableReport.of(m.parameters(), 0));
        }
    }
}
