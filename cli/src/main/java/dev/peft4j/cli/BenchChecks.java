package dev.peft4j.cli;

import dev.peft4j.model.BertConfig;

/**
 * The option values of {@code bench}, checked before the model is built: ranges, a sequence no longer than the
 * model's positions, and the memory of the weights and the activations kept for the backward pass.
 */
final class BenchChecks {
    private BenchChecks() {}

    static void check(BenchCommand c, BertConfig base) {
        OptionChecks.atLeast("--steps", c.steps, 1);
        OptionChecks.atLeast("--batch", c.batch, 1);
        OptionChecks.atLeast("--layers", c.layers, 1);
        OptionChecks.between("--warmup", c.warmup, 0, c.steps - 1L, "fewer than --steps");
        OptionChecks.between("--seq", c.seq, 2, base.maxPositions(), "the model has " + base.maxPositions() + " positions");
        OptionChecks.positive("--lr", c.lr);
        estimate(base, c.layers, c.batch, c.seq).requireFits();
    }

    /**
     * Weights (embeddings and {@code layers} layers) plus, per layer, the activations a training step keeps for the
     * backward pass: about 8·hidden + 2·intermediate values per token and the heads' attention rows.
     */
    static MemoryEstimate estimate(BertConfig base, int layers, int batch, int seq) {
        long h = base.hidden();
        long f = base.intermediate();
        long embeddings = ((long) base.vocabSize() + base.maxPositions() + base.typeVocabSize()) * h;
        long perLayerWeights = 4 * h * h + 2 * h * f + 9 * h + f;
        long tokens = (long) batch * seq;
        String what = "--layers " + layers + ", --batch " + batch + ", --seq " + seq;
        long perLayerActivations = OptionChecks.product(what, tokens, 8 * h + 2 * f + (long) base.heads() * seq);
        long perLayer = perLayerWeights + perLayerActivations;
        long floats = embeddings + OptionChecks.product(what, layers, perLayer);
        return new MemoryEstimate(what + ": the model and one training step", OptionChecks.product(what, floats, 4));
    }
}
