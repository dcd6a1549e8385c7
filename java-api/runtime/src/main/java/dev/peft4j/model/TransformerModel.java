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

    List<Parameter> trainableParameters();

    /** The parameter called {@code name}, or null. */
    Parameter parameter(String name);

    /** The parameter count of the base model, without PEFT modules. */
    long baseParameterCount();

    /** Bakes reparameterised prefixes into plain ones and frees the prefix MLP. */
    void dropPrefixReparameterisation();

    /** True while prefixes are computed by the reparameterisation MLP. */
    boolean hasPrefixReparameterisation();

    @Override
    void close();
}
