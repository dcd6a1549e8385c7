package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.peft.PrefixSpec;
import dev.peft4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Multi-head self-attention with its four projections: q = x W_qᵀ + b_q (k, v alike), (IA)³ k ← l_k ⊙ k,
 * v ← l_v ⊙ v, prefix keys/values P_k, P_v {@code [L,d]} prepended, ctx = attention(q, k, v), a = ctx W_oᵀ + b_o.
 * Activations are {@code [N, d]} with N = B·T; the attention kernel reads them as {@code [B, T, d]}.
 */
final class SelfAttention implements AutoCloseable {
    final Linear query;
    final Linear key;
    final Linear value;
    final Linear output;
    private final int heads;
    private final boolean causal;
    private final Backend be;
    private final Buffers buf;
    private Parameter prefixK;
    private Parameter prefixV;
    private Parameter ia3K;
    private Parameter ia3V;
    private Tensor q;
    private Tensor k;
    private Tensor v;
    private Tensor kRaw;
    private Tensor vRaw;
    private Pass pass;

    SelfAttention(Backend be, Linear query, Linear key, Linear value, Linear output, int heads, boolean causal) {
        this.be = be;
        this.query = query;
        this.key = key;
        this.value = value;
        this.output = output;
        this.heads = heads;
        this.causal = causal;
        this.buf = new Buffers(be);
    }

    int width() {
        return query.out();
    }

    /** Prefix tuning: P_k, P_v {@code [L, d]} initialised N(0, 0.02), trainable. */
    void attachPrefix(String prefix, PrefixSpec spec, SplittableRandom rng) {
        int d = width();
        prefixK = new Parameter(prefix + ".prefix_k", be.fromHost(Init.normal(rng, spec.length() * d, 0.02), spec.length(), d));
        prefixV = new Parameter(prefix + ".prefix_v", be.fromHost(Init.normal(rng, spec.length() * d, 0.02), spec.length(), d));
        prefixK.setTrainable(be, true);
        prefixV.setTrainable(be, true);
    }

    /** (IA)³ on keys and values: l_k, l_v {@code [d]} initialised to 1, trainable. */
    void attachIa3(String prefix) {
        int d = width();
        ia3K = new Parameter(prefix + ".ia3_k", be.fromHost(Init.constant(d, 1f), d));
        ia3V = new Parameter(prefix + ".ia3_v", be.fromHost(Init.constant(d, 1f), d));
        ia3K.setTrainable(be, true);
        ia3V.setTrainable(be, true);
    }

    /** a {@code [N,d]} = the output projection of attention over x {@code [N,d]}. */
    Tensor forward(Tensor x, Pass pass, long seed) {
        this.pass = pass;
        int n = x.dim(0);
        int d = width();
        q = query.forward(x, pass, seed + 1);
        kRaw = key.forward(x, pass, seed + 2);
        vRaw = value.forward(x, pass, seed + 3);
        k = kRaw;
        v = vRaw;
        if (ia3K != null) {
            k = buf.get("k", n, d);
            v = buf.get("v", n, d);
            be.scaleForward(kRaw, ia3K.value(), k);
            be.scaleForward(vRaw, ia3V.value(), v);
        }
        Tensor ctx = buf.get("ctx", n, d);
        be.attentionForward(view3(q), view3(k), view3(v), value(prefixK), value(prefixV), pass.keyMask(), causal, heads,
                view3(ctx), buf.get("lse", pass.batch(), heads, pass.seqLen()));
        return output.forward(ctx, pass, seed + 4);
    }

    /** dx {@code [N,d]} (a buffer) from da, the gradient of the output projection's result. */
    Tensor backward(Tensor da) {
        int n = da.dim(0);
        int d = width();
        Tensor dctx = output.backward(da, true);
        Tensor dq = buf.get("dq", n, d);
        Tensor dk = buf.get("dk", n, d);
        Tensor dv = buf.get("dv", n, d);
        be.attentionBackward(view3(dctx), view3(q), view3(k), view3(v), value(prefixK), value(prefixV), pass.keyMask(),
                causal, heads, view3(buf.get("ctx", n, d)), buf.get("lse", pass.batch(), heads, pass.seqLen()),
                view3(dq), view3(dk), view3(dv), grad(prefixK), grad(prefixV));
        if (ia3K != null) {
            Tensor dkRaw = buf.get("dkRaw", n, d);
            Tensor dvRaw = buf.get("dvRaw", n, d);
            be.scaleBackward(dk, kRaw, ia3K.value(), dkRaw, ia3K.grad());
            be.scaleBackward(dv, vRaw, ia3V.value(), dvRaw, ia3V.grad());
            dk = dkRaw;
            dv = dvRaw;
        }
        Tensor dx = buf.get("dx", n, d);
        be.copy(query.backward(dq, true), dx);
        be.add(dx, key.backward(dk, true), dx);
        be.add(dx, value.backward(dv, true), dx);
        return dx;
    }

    private Tensor view3(Tensor t) {
        return t.view(pass.batch(), pass.seqLen(), t.dim(-1));
    }

    private static Tensor value(Parameter p) {
        return p == null ? null : p.value();
    }

    private static Tensor grad(Parameter p) {
        return p == null ? null : p.grad();
    }

    void collect(List<Parameter> out) {
        query.collect(out);
        key.collect(out);
        value.collect(out);
        output.collect(out);
        for (Parameter p : new Parameter[] {prefixK, prefixV, ia3K, ia3V}) {
            if (p != null) {
                out.add(p);
            }
        }
    }

    @Override
    public void close() {
        buf.close();
        query.close();
        key.close();
        value.close();
        output.close();
    }
}
