package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.peft.PeftPlan;
import java.util.List;

/**
 * What the BERT encoder and GPT-2 share for adapter I/O, merging and checkpoints: the shape, the PEFT plan and its
 * parameters, and the Hugging Face names of its modules. Code that reads or writes adapters asks the model through
 * this interface instead of switching on which model it is.
 */
public sealed interface TransformerModel extends AutoCloseable permits BertModel, Gpt2Model {

    /** Layers, hidden width, attention heads and FFN width. */
    ModelShape shape();

    /** How Hugging Face names this model's layers and modules. */
    HfNaming naming();

    Backend backend();

    /** Attaches a PEFT plan (one entry per layer), initialising its parameters from {@code seed}. */
    void applyPlan(PeftPlan plan, long seed);

    /** The plan attached by {@link #applyPlan}, or null when none is attached. */
    PeftPlan plan();

    /** Every parameter, base and PEFT, in a fixed order. */
    List<Parameter> parameters();

    /** The parameters an optimizer updates, in {@link #parameters()}'s order. */
    default List<Parameter> trainableParameters() {
        return parameters().stream().filter(Parameter::trainable).toList();
    }

    /** The parameter called {@code name}, or null. */
    default Parameter parameter(String name) {
        return Parameter.named(parameters(), name);
    }

    /** The parameter count of the base model, without PEFT modules. */
    long baseParameterCount();

    /** Bakes reparameterised prefixes into plain ones and frees the prefix MLP. */
    void dropPrefixReparameterisation();

    /** True while prefixes are computed by the reparameterisation MLP. */
    boolean hasPrefixReparameterisation();

    /**
     * Where the tokens' position ids start: token t of a sequence reads position embedding {@code offset + t}. 0
     * unless a prefix adapter trained in transformers is loaded: there the tokens come after the L prefix positions
     * ({@code past_key_values_length} in BERT's and GPT-2's embeddings), so {@code AdapterIo.load} sets it to L.
     */
    int positionOffset();

    /** The number of position embeddings: the longest sequence, position offset included. */
    int maxPositions();

    /** The positions a sequence's tokens can take: {@link #maxPositions()} less {@link #positionOffset()}. */
    default int tokenPositions() {
        return maxPositions() - positionOffset();
    }

    /** Sets {@link #positionOffset()}; a forward then needs {@code offset + T ≤} the model's positions. */
    void setPositionOffset(int offset);

    /** {@code offset}, checked to lie in {@code [0, maxPositions)}, for {@link #setPositionOffset}. */
    static int checkedPositionOffset(int offset, int maxPositions) {
        if (offset < 0 || offset >= maxPositions) {
            throw new IllegalArgumentException("position offset " + offset + " outside [0, " + maxPositions + ")");
        }
        return offset;
    }

    @Override
    void close();
}
