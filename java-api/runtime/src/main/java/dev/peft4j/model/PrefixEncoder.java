package dev.peft4j.model;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.peft.PrefixSpec;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The prefix MLP reparameterisation of DESIGN.md §3 (Li &amp; Liang): E {@code [L,d]} → Linear(d,h) → tanh →
 * Linear(h, 2·layers·d), whose output rows are every prefixed layer's P_k and P_v. It is stored as
 * <ul>
 *   <li>{@code prefix_encoder.embedding} E {@code [L,d]}, {@code prefix_encoder.dense.weight} W₁ {@code [h,d]},
 *       {@code prefix_encoder.dense.bias} b₁ {@code [h]}, shared;</li>
 *   <li>per prefixed layer i, the row blocks of the second linear that produce its keys and values:
 *       {@code <layer i>.attention.self.prefix_k_proj.weight} {@code [d,h]} and {@code .bias} {@code [d]}, likewise
 *       {@code prefix_v_proj} (Linear(h, 2·n·d) is exactly these 2·n blocks stacked).</li>
 * </ul>
 * Forward (once per model forward): H = tanh(E W₁ᵀ + b₁) {@code [L,h]}, then P_k(i) = H W_k(i)ᵀ + b_k(i) and
 * P_v(i) likewise, written into the layers' (frozen) prefix parameters. Backward, from the layers' dP_k(i), dP_v(i):
 * dW_k(i) = dP_k(i)ᵀ H, db_k(i) = Σ_rows dP_k(i), dH = Σ_i dP_k(i) W_k(i) + dP_v(i) W_v(i) (linearBackward per block,
 * summed), dZ = dH ⊙ (1 − H²) (activationBackward TANH), then dE = dZ W₁, dW₁ = dZᵀ E, db₁ = Σ_rows dZ.
 * Init as PyTorch's modules: E ~ N(0,1) (nn.Embedding), weights Kaiming-uniform (a = √5), zero biases.
 * {@link #drop} bakes the current prefixes into the layers and frees the MLP.
 */
final class PrefixEncoder implements AutoCloseable {
    private final Backend be;
    private final Parameter embedding;
    private final Parameter w1;
    private final Parameter b1;
    private final List<Block> blocks;
    private final ReusedTensors owned;
    private final ReusedTensor z;       // [L,h], E W₁ᵀ + b₁ (saved for the backward)
    private final ReusedTensor hidden;  // [L,h], tanh(z) (saved for the backward)
    private final ReusedTensor dH;      // [L,h]
    private final ReusedTensor dHPart;  // [L,h], one projection's share of dH
    private final ReusedTensor dZ;      // [L,h]

    /** The projection rows of one prefixed layer and the gradient tensors its attention writes. */
    private record Block(SelfAttention attention, Parameter wK, Parameter bK, Parameter wV, Parameter bV,
                         Tensor dK, Tensor dV) {}

    private PrefixEncoder(Backend be, Parameter embedding, Parameter w1, Parameter b1, List<Block> blocks) {
        this.be = be;
        this.embedding = embedding;
        this.w1 = w1;
        this.b1 = b1;
        this.blocks = blocks;
        this.owned = new ReusedTensors(be);
        this.z = owned.next();
        this.hidden = owned.next();
        this.dH = owned.next();
        this.dHPart = owned.next();
        this.dZ = owned.next();
    }

    /**
     * Builds the MLP over the layers whose plan has a reparameterised prefix (their prefixes must already be
     * attached, with the shared spec), or returns null when there are none.
     */
    static PrefixEncoder attach(Backend be, List<? extends TransformerLayer> layers, PrefixSpec spec, String layerPrefix,
                                SplittableRandom rng) {
        if (spec == null) {
            return null;
        }
        int d = layers.get(0).attention.width();
        int l = spec.length();
        int h = spec.reparameterisation();
        Parameter e = trainable(be, new Parameter("prefix_encoder.embedding", be.fromHost(Init.normal(rng, l * d, 1.0), l, d)));
        Parameter w1 = trainable(be, new Parameter("prefix_encoder.dense.weight", be.fromHost(Init.kaimingUniform(rng, h, d), h, d)));
        Parameter b1 = trainable(be, new Parameter("prefix_encoder.dense.bias", be.allocate(h)));
        List<Block> blocks = new ArrayList<>();
        for (TransformerLayer layer : layers) {
            SelfAttention a = layer.attention;
            if (a.prefixK() == null) {
                continue;
            }
            String p = layerPrefix + layer.index + ".attention.self.";
            Block b = new Block(a,
                    trainable(be, new Parameter(p + "prefix_k_proj.weight", be.fromHost(Init.kaimingUniform(rng, d, h), d, h))),
                    trainable(be, new Parameter(p + "prefix_k_proj.bias", be.allocate(d))),
                    trainable(be, new Parameter(p + "prefix_v_proj.weight", be.fromHost(Init.kaimingUniform(rng, d, h), d, h))),
                    trainable(be, new Parameter(p + "prefix_v_proj.bias", be.allocate(d))),
                    be.allocate(l, d), be.allocate(l, d));
            a.routePrefixGradients(b.dK, b.dV);
            blocks.add(b);
        }
        PrefixEncoder enc = new PrefixEncoder(be, e, w1, b1, blocks);
        enc.forward();
        return enc;
    }

    private static Parameter trainable(Backend be, Parameter p) {
        p.setTrainable(be, true);
        return p;
    }

    /** H = tanh(E W₁ᵀ + b₁), then every layer's P_k, P_v = H Wᵀ + b into its prefix parameters. */
    void forward() {
        int l = embedding.value().dim(0);
        int h = w1.value().dim(0);
        Tensor pre = z.shaped(l, h);
        Tensor hid = hidden.shaped(l, h);
        be.linearForward(embedding.value(), w1.value(), b1.value(), pre);
        be.activationForward(Activation.TANH, pre, hid);
        for (Block b : blocks) {
            be.linearForward(hid, b.wK.value(), b.bK.value(), b.attention.prefixK().value());
            be.linearForward(hid, b.wV.value(), b.bV.value(), b.attention.prefixV().value());
        }
    }

    /** Back-propagates the layers' prefix gradients (written by their backward) to E, W₁, b₁ and the blocks. */
    void backward() {
        int l = embedding.value().dim(0);
        int h = w1.value().dim(0);
        Tensor hid = hidden.saved();
        Tensor dHid = dH.shaped(l, h);
        Tensor part = dHPart.shaped(l, h);
        be.fill(dHid, 0f);
        for (Block b : blocks) {
            be.linearBackward(b.dK, hid, b.wK.value(), part, b.wK.grad(), b.bK.grad());
            be.add(dHid, part, dHid);
            be.linearBackward(b.dV, hid, b.wV.value(), part, b.wV.grad(), b.bV.grad());
            be.add(dHid, part, dHid);
        }
        Tensor dPre = dZ.shaped(l, h);
        be.activationBackward(Activation.TANH, dHid, z.saved(), dPre);
        be.linearBackward(dPre, embedding.value(), w1.value(), embedding.grad(), w1.grad(), b1.grad());
    }

    /**
     * Writes the prefixes the current MLP produces into the layers, makes them ordinary trainable parameters again
     * and frees the MLP: afterwards the model is a plain prefix model with the same outputs.
     */
    void drop() {
        forward();
        for (Block b : blocks) {
            b.attention.routePrefixGradients(null, null);
        }
        List<Parameter> own = new ArrayList<>();
        collect(own);
        own.forEach(Parameter::close);
        close();
    }

    void collect(List<Parameter> out) {
        out.add(embedding);
        out.add(w1);
        out.add(b1);
        for (Block b : blocks) {
            out.add(b.wK);
            out.add(b.bK);
            out.add(b.wV);
            out.add(b.bV);
        }
    }

    /** Frees the buffers and gradient routes; the parameters are closed with the model's (see {@link #collect}). */
    @Override
    public void close() {
        for (Block b : blocks) {
            b.dK.close();
            b.dV.close();
        }
        owned.close();
    }
}
