package dev.peft4j.model;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * What encoder and decoder layers share: self-attention, two LayerNorms, the two FFN linears, and the PEFT
 * attachment points (serial adapters after attention and FFN, a parallel adapter on the FFN, (IA)³ on the FFN
 * hidden activation). Subclasses fix the order of the computation (post-LN BERT, pre-LN GPT-2).
 */
abstract class TransformerLayer implements AutoCloseable {
    final int index;
    final SelfAttention attention;
    final LayerNorm ln1;
    final LayerNorm ln2;
    final Linear ffnIn;
    final Linear ffnOut;
    final Activation activation;
    final float dropout;
    final Backend be;
    /** Owns the reused tensors of this layer that are not backward scratch, its subclass's included. */
    final ReusedTensors owned;
    /** Where this layer's backward scratch comes from: the stack's shared scratch, or {@link #owned}. */
    final ScratchSource backwardScratch;
    private final Saved saved;
    private final Scratch scratch;
    Adapter attnAdapter;
    Adapter ffnAdapter;
    Adapter parallelAdapter;
    Parameter ia3Ffn;

    /** A layer whose backward scratch comes from {@code scratch} (its stack's {@link SharedScratch}), or its own when null. */
    TransformerLayer(Backend be, int index, SelfAttention attention, LayerNorm ln1, Linear ffnIn, Linear ffnOut,
                     LayerNorm ln2, Activation activation, float dropout, ScratchSource scratch) {
        this.be = be;
        this.index = index;
        this.attention = attention;
        this.ln1 = ln1;
        this.ffnIn = ffnIn;
        this.ffnOut = ffnOut;
        this.ln2 = ln2;
        this.activation = activation;
        this.dropout = dropout;
        this.owned = new ReusedTensors(be);
        this.backwardScratch = scratch == null ? owned : scratch;
        this.saved = new Saved(owned);
        this.scratch = new Scratch(backwardScratch);
    }

    /** The layer's six linear layers: query, key, value and output projections, then the FFN's two. */
    List<Linear> linears() {
        return List.of(attention.query, attention.key, attention.value, attention.output, ffnIn, ffnOut);
    }

    /** The layers of a model (package-private on each model, so not part of the public interface). */
    static List<? extends TransformerLayer> of(TransformerModel model) {
        return switch (model) {
            case BertModel bert -> bert.layers();
            case Gpt2Model gpt2 -> gpt2.layers();
        };
    }

    /** What the branches' forwards keep for their backwards (the sublayers keep their own). */
    private static final class Saved {
        boolean dropped;              // whether this pass applied dropout (training with p > 0)
        final ReusedTensor attnMask;  // [N,d], dropout mask on the attention output
        final ReusedTensor ffnMask;   // [N,d], dropout mask on the FFN output
        final ReusedTensor ffnAct;    // [N,f], γ(g W₁ᵀ + b₁)
        final ReusedTensor ffnScaled; // [N,f], l_ff ⊙ ffnAct with (IA)³ (FFN-out's saved input)

        Saved(ReusedTensors pool) {
            attnMask = pool.next();
            ffnMask = pool.next();
            ffnAct = pool.next();
            ffnScaled = pool.next();
        }
    }

    /** Intermediates of the branches' backwards (shared by the stack's layers); {@code [N,d]} unless noted. */
    private static final class Scratch {
        final ReusedTensor dAttnAdapterIn;
        final ReusedTensor dAttnMasked;
        final ReusedTensor dFfnAdapterIn;
        final ReusedTensor dFfnMasked;
        final ReusedTensor dFfnAct;   // [N,f]
        final ReusedTensor dFfnPre;   // [N,f]
        final ReusedTensor ffnActUnkept; // [N,f], γ(g W₁ᵀ + b₁) in the forward when no backward reads it

        Scratch(ScratchSource pool) {
            dAttnAdapterIn = pool.next();
            dAttnMasked = pool.next();
            dFfnAdapterIn = pool.next();
            dFfnMasked = pool.next();
            dFfnAct = pool.next();
            dFfnPre = pool.next();
            ffnActUnkept = pool.next();
        }
    }

    /** The layer's output {@code [N,d]} (a buffer) for input x {@code [N,d]}. */
    abstract Tensor forward(Tensor x, Pass pass);

    /** dx {@code [N,d]} (a buffer) from the output's gradient, or null without {@code needDx} (the lowest layer of
     *  a backward that stops below the embeddings); fills the trainable parameters' gradients either way. */
    abstract Tensor backward(Tensor dOut, boolean needDx);

    /** The attention branch: a = drop(attention(in)), then the serial attention adapter a ← a + adapter(a). */
    Tensor attentionBranch(Tensor in, Pass pass) {
        saved.dropped = pass.training() && dropout > 0;
        // a is saved only as the serial adapter's input; without one, the next layer may overwrite it
        Tensor a = attention.forward(in, pass, pass.siteSeed(index, 0), attnAdapter != null);
        if (saved.dropped) {
            a = dropout(a, pass, 10, saved.attnMask);
        }
        return attnAdapter == null ? a : attnAdapter.forward(a, a);
    }

    /** Backward of {@link #attentionBranch}: the gradient of its input from the gradient of its output (null
     *  without {@code needDx}: only the parameters' gradients are filled). */
    Tensor attentionBranchBackward(Tensor da, boolean needDx) {
        int n = da.dim(0);
        int d = da.dim(1);
        if (attnAdapter != null) {
            Tensor dPre = scratch.dAttnAdapterIn.shaped(n, d);
            be.add(da, attnAdapter.backward(da), dPre);
            da = dPre;
        }
        if (saved.dropped) {
            Tensor masked = scratch.dAttnMasked.shaped(n, d);
            be.mul(da, saved.attnMask.saved(), masked);
            da = masked;
        }
        return attention.backward(da, needDx);
    }

    /**
     * The FFN branch on its input g: o = drop(FFN(g)), o ← o + ffnAdapter(o), o ← o + parallelAdapter(g).
     * Call after {@link #attentionBranch} (which decides whether this pass drops).
     */
    Tensor ffnBranch(Tensor g, Pass pass) {
        Tensor o = feedForward(g, pass);
        if (saved.dropped) {
            o = dropout(o, pass, 40, saved.ffnMask);
        }
        if (ffnAdapter != null) {
            o = ffnAdapter.forward(o, o);
        }
        return parallelAdapter == null ? o : parallelAdapter.forward(g, o);
    }

    /** Backward of {@link #ffnBranch}: dg (the FFN's and the parallel adapter's paths) from dOut. */
    Tensor ffnBranchBackward(Tensor dOut) {
        int n = dOut.dim(0);
        int d = dOut.dim(1);
        Tensor dParallel = parallelAdapter == null ? null : parallelAdapter.backward(dOut);
        if (ffnAdapter != null) {
            Tensor dPre = scratch.dFfnAdapterIn.shaped(n, d);
            be.add(dOut, ffnAdapter.backward(dOut), dPre);
            dOut = dPre;
        }
        if (saved.dropped) {
            Tensor masked = scratch.dFfnMasked.shaped(n, d);
            be.mul(dOut, saved.ffnMask.saved(), masked);
            dOut = masked;
        }
        Tensor dg = feedForwardBackward(dOut);
        if (dParallel != null) {
            be.add(dg, dParallel, dg);
        }
        return dg;
    }

    /** In-place inverted dropout of t, keeping the mask in {@code mask} for the backward. */
    private Tensor dropout(Tensor t, Pass pass, int site, ReusedTensor mask) {
        be.dropoutForward(t, dropout, pass.siteSeed(index, site), t, mask.shaped(t.shape()));
        return t;
    }

    /**
     * f = γ(g W₁ᵀ + b₁), then l_ff ⊙ f with (IA)³, then f W₂ᵀ + b₂ (the output linear's buffer, or without a serial
     * FFN adapter, which would save it, a buffer the next layer overwrites). γ(...) is kept for the backward only
     * where one reads it ((IA)³, or an FFN-out layer with LoRA or a trainable W); else it is a shared forward buffer.
     */
    Tensor feedForward(Tensor g, Pass pass) {
        int n = g.dim(0);
        Tensor pre = ffnIn.forward(g, pass, pass.siteSeed(index, 20));
        boolean keepAct = ia3Ffn != null || ffnOut.backwardReadsInput();
        Tensor act = (keepAct ? saved.ffnAct : scratch.ffnActUnkept).shaped(n, ffnIn.out());
        be.activationForward(activation, pre, act);
        Tensor f = act;
        if (ia3Ffn != null) {
            f = saved.ffnScaled.shaped(n, ffnIn.out());
            be.scaleForward(act, ia3Ffn.value(), f);
        }
        return ffnAdapter != null ? ffnOut.forward(f, pass, pass.siteSeed(index, 30))
                : ffnOut.forwardUnkept(f, pass, pass.siteSeed(index, 30));
    }

    /** Backward of {@link #feedForward}: dg {@code [N,d]} (FFN-in's dx buffer) from the FFN output's gradient. */
    Tensor feedForwardBackward(Tensor dOut) {
        int n = dOut.dim(0);
        Tensor df = ffnOut.backward(dOut, true);
        if (ia3Ffn != null) {
            Tensor dAct = scratch.dFfnAct.shaped(n, ffnIn.out());
            be.scaleBackward(df, saved.ffnAct.saved(), ia3Ffn.value(), dAct, ia3Ffn.grad());
            df = dAct;
        }
        Tensor dPre = scratch.dFfnPre.shaped(n, ffnIn.out());
        be.activationBackward(activation, df, ffnIn.lastOutput(), dPre);
        return ffnIn.backward(dPre, true);
    }

    /** Whether the backward has anything to compute here: a trainable parameter, or a routed prefix gradient. */
    boolean needsBackward() {
        List<Parameter> own = new java.util.ArrayList<>();
        collect(own);
        return attention.routesPrefixGradient() || own.stream().anyMatch(Parameter::trainable);
    }

    /**
     * The index of the lowest layer whose backward must run (layers.size() when none): below it nothing is
     * trainable, so the backward stops there instead of carrying dx down to the embeddings.
     */
    static int lowestNeedingBackward(List<? extends TransformerLayer> layers) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).needsBackward()) {
                return i;
            }
        }
        return layers.size();
    }

    void collect(List<Parameter> out) {
        attention.collect(out);
        ln1.collect(out);
        ffnIn.collect(out);
        ffnOut.collect(out);
        ln2.collect(out);
        for (Adapter a : new Adapter[] {attnAdapter, ffnAdapter, parallelAdapter}) {
            if (a != null) {
                a.collect(out);
            }
        }
        if (ia3Ffn != null) {
            out.add(ia3Ffn);
        }
    }

    @Override
    public void close() {
        owned.close();
        attention.close();
        ln1.close();
        ffnIn.close();
        ffnOut.close();
        ln2.close();
        for (Adapter a : new Adapter[] {attnAdapter, ffnAdapter, parallelAdapter}) {
            if (a != null) {
                a.close();
            }
        }
    }
}
