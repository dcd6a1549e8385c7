package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * What BERT and GPT-2 share: the transformer layers with the attached PEFT plan, the prefix reparameterisation MLP
 * when the plan has one, and the backward scratch the layers share ({@link SharedScratch}: the backward runs one
 * layer at a time). The models own their embeddings and heads and delegate the rest.
 */
final class LayerStack<L extends TransformerLayer> implements AutoCloseable {
    private final Backend be;
    private final List<L> layers;
    private final SharedScratch scratch;
    private final String layerPrefix;
    private PeftPlan plan;
    private PrefixEncoder prefixEncoder;

    /** The stack of {@code layers}, which took their backward scratch from {@code scratch}; it owns both. */
    LayerStack(Backend be, List<L> layers, SharedScratch scratch, String layerPrefix) {
        this.be = be;
        this.layers = layers;
        this.scratch = scratch;
        this.layerPrefix = layerPrefix;
    }

    List<L> layers() {
        return layers;
    }

    void applyPlan(PeftPlan plan, long seed) {
        prefixEncoder = PlanAttachment.apply(be, layers, plan, layerPrefix, seed);
        this.plan = plan;
    }

    PeftPlan plan() {
        return plan;
    }

    /** x {@code [N,d]} through every layer (the reparameterised prefixes computed first). */
    Tensor forward(Tensor x, Pass pass) {
        if (prefixEncoder != null) {
            prefixEncoder.forward();
        }
        Tensor h = x;
        for (L layer : layers) {
            h = layer.forward(h, pass);
        }
        return h;
    }

    /**
     * The backward through the layers down to {@code stop} (see {@link TransformerLayer#lowestNeedingBackward}),
     * then into the prefix MLP; returns the gradient below layer {@code stop} when {@code needInputGrad}, else null
     * (layer {@code stop} then skips the products that only feed its input gradient).
     */
    Tensor backward(Tensor dOut, int stop, boolean needInputGrad) {
        Tensor g = dOut;
        for (int i = layers.size() - 1; i >= stop; i--) {
            g = layers.get(i).backward(g, i > stop || needInputGrad);
        }
        if (prefixEncoder != null) {
            prefixEncoder.backward();
        }
        return g;
    }

    int lowestNeedingBackward() {
        return TransformerLayer.lowestNeedingBackward(layers);
    }

    /** The layers' parameters, then the prefix MLP's. */
    void collect(List<Parameter> out) {
        layers.forEach(l -> l.collect(out));
        if (prefixEncoder != null) {
            prefixEncoder.collect(out);
        }
    }

    void dropPrefixReparameterisation() {
        if (prefixEncoder == null) {
            throw new IllegalStateException("the model has no prefix reparameterisation to drop");
        }
        prefixEncoder.drop();
        prefixEncoder = null;
        plan = plan.map(l -> l.prefix() == null ? l : l.withPrefix(l.prefix().direct()));
    }

    boolean hasPrefixReparameterisation() {
        return prefixEncoder != null;
    }

    @Override
    public void close() {
        if (prefixEncoder != null) {
            prefixEncoder.close();
        }
        layers.forEach(TransformerLayer::close);
        scratch.close();
    }
}
